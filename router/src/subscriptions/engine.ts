import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import { clientError, type Logger } from '@supergraph/server';
import type { RouterContext } from '../context';
import { asGraphQLError, executeSubscriptionEvent } from '../execution/plan-executor';
import { subgraphDataSource } from '../execution/subgraph-data-source';
import { asGraphQLErrors, logSubgraphErrors, publicError } from '../pipeline/11-respond';
import type { PreparedOperation } from '../pipeline/operation-request';
import { resumes } from './planner';
import { SharedEvents } from './shared-events';
import type { UpstreamSubscriptions } from './upstream';

export interface SubscribeRequest {
  /** As the pipeline prepared it: document, variables, the plan (stage 9) and the schema state it runs on. */
  operation: PreparedOperation;
  context: RouterContext;
}

/** One client subscription while it runs: its operation is replaced when a reload re-prepares it. */
interface LiveSubscription {
  operation: PreparedOperation;
  caller: string;
  /** The subscribers it shares events with. */
  group: SharedEvents;
  /** Ends it with one error result (the reload found it no longer runs on the new supergraph). */
  end(error: GraphQLError): void;
}

/** Who may run how many subscriptions, and receive each event (router/README.md, Subscriptions). */
export interface SubscriptionPolicy {
  /** Subscriptions one caller may have running at once; 0: no limit. */
  maxPerCaller: number;
  /** Who an operation counts against: the rate limiter's key (API key, user, else address). */
  callerOf(operation: PreparedOperation): string;
  /** Resolves when an event may be delivered; a rejection ends the subscription with that error. */
  authorizeEvent(operation: PreparedOperation): Promise<void>;
}

/** What a reload did to the live subscriptions. */
export interface RebaseOutcome {
  kept: number;
  ended: number;
}

/**
 * Federated subscriptions: the primary fetch runs as a subscription on the subgraph that owns
 * the root field; each event it yields is completed by the router's executor, which fetches the
 * fields other subgraphs own and shapes the result (aliases, fragments, null propagation) exactly
 * as it does for queries.
 */
export class SubscriptionEngine {
  private readonly live = new Set<LiveSubscription>();
  /** Shared upstream subscriptions, by what makes their results the same (see groupFor). */
  private readonly groups = new Map<string, SharedEvents>();
  /** Running subscriptions by caller, for admission; kept in step with `live` by `track`/`forget`. */
  private readonly perCaller = new Map<string, number>();

  constructor(
    private readonly upstream: UpstreamSubscriptions,
    private readonly policy: SubscriptionPolicy,
    private readonly logger: Logger,
  ) {}

  /**
   * The results of one client subscription. A plain iterator rather than an async generator, so
   * that `return()` (the client unsubscribing) ends the upstream subscription immediately even
   * while waiting for the next event.
   */
  subscribe(request: SubscribeRequest): AsyncIterableIterator<ExecutionResult> {
    // Counted and admitted in one synchronous step, so concurrent subscribes cannot overshoot.
    const caller = this.policy.callerOf(request.operation);
    const { maxPerCaller } = this.policy;
    if (maxPerCaller > 0 && (this.perCaller.get(caller) ?? 0) >= maxPerCaller) {
      return oneResult({
        errors: [
          clientError('SUBSCRIPTION_LIMIT_EXCEEDED', `At most ${maxPerCaller} subscriptions may run at once for one caller`, {
            limit: maxPerCaller,
          }),
        ],
      });
    }
    const group = this.groupFor(request);
    const subscriber = group.join();
    const live: LiveSubscription = {
      operation: request.operation,
      caller,
      group,
      end: (error) => subscriber.end({ errors: [error] }),
    };
    this.track(live);
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      next: async () => {
        const item = await subscriber.next();
        if (item.done) {
          this.forget(live);
          return item;
        }
        // Shared results are checked per subscriber: each one's credential may expire on its own.
        const refusal = await this.policy.authorizeEvent(live.operation).then(
          () => undefined,
          (error: unknown) => error ?? new Error('refused'),
        );
        if (refusal !== undefined) {
          this.forget(live);
          subscriber.finish();
          return { value: { errors: [eventRefusal(refusal)] }, done: false };
        }
        return item;
      },
      return: async () => {
        this.forget(live);
        subscriber.finish();
        return { value: undefined, done: true };
      },
      throw: async (error?: unknown) => {
        this.forget(live);
        subscriber.finish();
        throw error;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * The group this subscription shares events with: the same subgraph, identity, document,
   * operation and variables mean the same upstream subscription and the same completed result
   * for every event (router/README.md, Subscriptions). A new group subscribes upstream. One that
   * resumes after a position has a group of its own: one joined later would miss its replay.
   */
  private groupFor(request: SubscribeRequest): SharedEvents {
    const { operation, context } = request;
    const primary = operation.subscriptionPlan!.primary;
    const owner = operation.schemaState.subgraphs.get(primary.serviceName);
    if (!owner?.url) throw new Error(`No subgraph named ${primary.serviceName}`);
    const key = resumes(operation.subscriptionPlan!, operation.variables)
      ? undefined
      : JSON.stringify([owner.url, context.identity, operation.queryHash, operation.operationName ?? null, operation.variables]);
    const existing = key === undefined ? undefined : this.groups.get(key);
    if (existing) return existing;
    const events = this.upstream.subscribe({ name: owner.name, url: owner.url }, context.identity, {
      query: primary.operation,
      operationName: primary.operationName,
      variables: pick(operation.variables, primary.variableUsages),
    });
    const group: SharedEvents = new SharedEvents(
      events,
      async (event) => withPosition(await this.completeShared(group, event, context), event),
      () => {
        if (key !== undefined && this.groups.get(key) === group) this.groups.delete(key);
      },
    );
    if (key !== undefined) this.groups.set(key, group);
    return group;
  }

  /**
   * One event for a whole group, on the operation its members run now (a reload re-prepares each
   * alike: they share document, variables and identity). Subgraph errors are logged once, with
   * the request id of the subscription that opened the group.
   */
  private async completeShared(group: SharedEvents, event: ExecutionResult, context: RouterContext): Promise<ExecutionResult> {
    const member = [...this.live].find((live) => live.group === group);
    if (!member || !event.data) return this.publicResult({ errors: event.errors }, context);
    try {
      return this.publicResult(await this.complete(member.operation, event, context), context);
    } catch (error) {
      this.logger.error('subscription event failed', {
        requestId: context.requestId,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      return { errors: [clientError('INTERNAL_SERVER_ERROR', 'Internal server error')] };
    }
  }

  /**
   * Moves every live subscription to a new supergraph, synchronously (in the turn of the swap):
   * `reprepare` runs the schema stages again (validation, limits, authorization, plan). One that
   * passes and still subscribes to the same subgraph with the same upstream operation keeps running,
   * its next events completed on the new plan, without the client noticing; any other ends with
   * SUBSCRIPTION_SCHEMA_CHANGED (an upstream operation that changed would need a new upstream
   * subscription, and events could be lost between the two).
   */
  rebase(reprepare: (operation: PreparedOperation) => PreparedOperation): RebaseOutcome {
    const outcome: RebaseOutcome = { kept: 0, ended: 0 };
    for (const live of this.live) {
      const before = live.operation.subscriptionPlan!.primary;
      let reason: string;
      try {
        const next = reprepare(live.operation);
        const after = next.subscriptionPlan!.primary;
        if (after.serviceName === before.serviceName && after.operation === before.operation) {
          live.operation = next;
          outcome.kept++;
          continue;
        }
        reason = `its events now come from another subgraph or operation (${after.serviceName})`;
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
      this.forget(live);
      live.end(clientError('SUBSCRIPTION_SCHEMA_CHANGED', `The supergraph changed and this subscription no longer runs on it: ${reason}. Subscribe again.`));
      outcome.ended++;
    }
    return outcome;
  }

  private track(live: LiveSubscription): void {
    this.live.add(live);
    this.perCaller.set(live.caller, (this.perCaller.get(live.caller) ?? 0) + 1);
  }

  /** Idempotent: a subscription can end from several sides (its source, the client, a reload). */
  private forget(live: LiveSubscription): void {
    if (!this.live.delete(live)) return;
    const running = (this.perCaller.get(live.caller) ?? 1) - 1;
    if (running > 0) this.perCaller.set(live.caller, running);
    else this.perCaller.delete(live.caller);
  }

  /** What of an event's errors leaves the router (stage 11): subgraph details go to the log only. */
  private publicResult(result: ExecutionResult, context: RouterContext): ExecutionResult {
    if (!result.errors?.length) return result;
    const formatted = result.errors.map((error): GraphQLFormattedError => (error instanceof GraphQLError ? error.toJSON() : (error as GraphQLFormattedError)));
    logSubgraphErrors(this.logger, context.requestId, formatted);
    return { ...result, errors: asGraphQLErrors(formatted.map(publicError)) };
  }

  /** Completes one event on our executor: the event answers the primary fetch, the rest of the plan runs from it. */
  private async complete(operation: PreparedOperation, event: ExecutionResult, context: RouterContext): Promise<ExecutionResult> {
    const state = operation.schemaState;
    const response = await executeSubscriptionEvent(
      state.apiSchema,
      operation.subscriptionPlan!,
      { data: event.data, errors: event.errors?.map((error) => (error instanceof GraphQLError ? error.toJSON() : error)) },
      operation.variables,
      subgraphDataSource(state.subgraphs, context),
    );
    return response.errors ? { data: response.data, errors: response.errors.map(asGraphQLError) } : { data: response.data };
  }
}

/** The result with the position of the subgraph event it was made from, the client's place to resume after. */
function withPosition(result: ExecutionResult, event: ExecutionResult): ExecutionResult {
  const position = event.extensions?.position;
  return typeof position === 'string' ? { ...result, extensions: { ...result.extensions, position } } : result;
}

/** Why an event was not delivered, as the client sees it: the check's own refusal, else a generic one. */
function eventRefusal(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  return clientError('UNAUTHENTICATED', 'The credential this subscription was opened with could not be checked again; subscribe again');
}

/** A query's outcome as a stream: its payloads when it was delivered incrementally, else its one result. */
export function asStream(outcome: ExecutionResult | AsyncIterableIterator<ExecutionResult>): AsyncIterableIterator<ExecutionResult> {
  return Symbol.asyncIterator in outcome ? outcome : oneResult(outcome);
}

/** A stream of one result: how a refused subscribe reaches every transport, and how SSE streams a query's. */
export function oneResult(result: ExecutionResult): AsyncIterableIterator<ExecutionResult> {
  let delivered = false;
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    next: async () => {
      if (delivered) return { value: undefined, done: true };
      delivered = true;
      return { value: result, done: false };
    },
    return: async () => ({ value: undefined, done: true }),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

function pick(variables: Record<string, unknown>, names: readonly string[] | undefined): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of names ?? []) if (name in variables) picked[name] = variables[name];
  return picked;
}

import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '@supergraph/server';
import type { RouterContext } from '../context';
import { asGraphQLErrors, logSubgraphErrors, publicError } from '../pipeline/11-respond';
import type { SubgraphClient } from '../subgraph-client';
import type { SubscriptionPlan, SubscriptionPlanner } from './planner';
import type { UpstreamSubscriptions } from './upstream';

export interface SubscribeRequest {
  document: DocumentNode;
  /** Made by the pipeline's plan stage. */
  plan: SubscriptionPlan;
  query: string;
  operationName?: string;
  variables: Record<string, unknown>;
  context: RouterContext;
}

/**
 * Federated subscriptions: the primary fetch runs as a subscription on the subgraph that owns
 * the root field; each event it yields is completed by the gateway's own executor, which fetches
 * the fields other subgraphs own and shapes the result (aliases, fragments, null bubbling)
 * exactly as it does for queries.
 */
export class SubscriptionEngine {
  constructor(
    private readonly planner: SubscriptionPlanner,
    private readonly upstream: UpstreamSubscriptions,
    private readonly subgraphs: () => ReadonlyMap<string, SubgraphClient>,
    private readonly logger: Logger,
  ) {}

  /** The API schema clients' operations are validated against. */
  get schema() {
    return this.planner.apiGraphQLSchema;
  }

  /**
   * The results of one client subscription. A plain iterator rather than an async generator, so
   * that `return()` (the client unsubscribing) ends the upstream subscription immediately even
   * while waiting for the next event.
   */
  subscribe(request: SubscribeRequest): AsyncIterableIterator<ExecutionResult> {
    const plan = request.plan;
    const owner = this.subgraphs().get(plan.primary.serviceName);
    if (!owner?.url) throw new Error(`No subgraph named ${plan.primary.serviceName}`);

    const events = this.upstream.subscribe({ name: owner.name, url: owner.url }, request.context.identity, {
      query: plan.primary.operation,
      operationName: plan.primary.operationName,
      variables: pick(request.variables, plan.primary.variableUsages),
    });
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      next: async () => {
        const event = await events.next();
        if (event.done) return event;
        const value = event.value.data ? await this.complete(plan, event.value, request) : { errors: event.value.errors };
        return { value: this.publicResult(value, request), done: false };
      },
      return: async () => {
        await events.return?.();
        return { value: undefined, done: true };
      },
      throw: async (error?: unknown) => {
        await events.return?.();
        throw error;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** What of an event's errors leaves the router (stage 11): subgraph details go to the log only. */
  private publicResult(result: ExecutionResult, request: SubscribeRequest): ExecutionResult {
    if (!result.errors?.length) return result;
    const formatted = result.errors.map((error): GraphQLFormattedError => (error instanceof GraphQLError ? error.toJSON() : (error as GraphQLFormattedError)));
    logSubgraphErrors(this.logger, request.context.requestId, formatted);
    return { ...result, errors: asGraphQLErrors(formatted.map(publicError)) };
  }

  /** Runs [primary, rest] for one event; the primary fetch is answered by the event itself. */
  private async complete(plan: SubscriptionPlan, event: ExecutionResult, request: SubscribeRequest): Promise<ExecutionResult> {
    const serviceMap: ServiceMap = {};
    for (const [name, client] of this.subgraphs()) serviceMap[name] = client;
    serviceMap[plan.primary.serviceName] = new EventDataSource(event, serviceMap[plan.primary.serviceName]!);

    const requestContext = {
      request: { query: request.query, variables: request.variables, operationName: request.operationName },
      context: request.context,
      document: request.document,
      operationName: request.operationName ?? null,
      // The gateway's executor records into metrics and requires the object to exist.
      metrics: {},
      logger: this.logger,
    } as unknown as GatewayGraphQLRequestContext<RouterContext>;

    const result = await executeQueryPlan(
      plan.perEvent,
      serviceMap,
      requestContext,
      plan.operationContext,
      this.planner.supergraphSchema,
      this.planner.apiSchema,
    );
    return result as ExecutionResult;
  }
}

/**
 * Stands in for the owning subgraph during one event: its first fetch (the primary) is answered
 * with the event, any later fetch of the same plan goes to the real subgraph over HTTP.
 */
class EventDataSource implements GraphQLDataSource<RouterContext> {
  private answered = false;

  constructor(
    private readonly event: ExecutionResult,
    private readonly subgraph: GraphQLDataSource<RouterContext>,
  ) {}

  process(options: Parameters<GraphQLDataSource<RouterContext>['process']>[0]): Promise<GatewayGraphQLResponse> {
    if (this.answered) return this.subgraph.process(options);
    this.answered = true;
    return Promise.resolve({ data: this.event.data, errors: this.event.errors } as GatewayGraphQLResponse);
  }
}

function pick(variables: Record<string, unknown>, names: string[] | undefined): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of names ?? []) if (name in variables) picked[name] = variables[name];
  return picked;
}

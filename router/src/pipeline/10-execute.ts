import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { DocumentNode, ExecutionArgs, ExecutionResult, FormattedExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';
import type { Logger } from '@supergraph/server';
import { executeAuthorized, type ExecutorResult } from '../authorization';
import { CachePolicy } from '../cache-policy';
import type { RouterContext } from '../context';
import type { SubscriptionEngine } from '../subscriptions/engine';
import type { IncrementalPayload } from '../execution/incremental';
import { asGraphQLErrors, ensureGraphQLError, formatErrors, formattedPayloads, type ResponseErrors } from './11-respond';
import type { PreparedOperation } from './operation-request';

/**
 * One query or mutation on its way to the caller, as the execution plugins see it. Plugins read
 * the operation and context, and write what they own: the cache policy (a cache hit replaces it),
 * response headers (`age`), the labels of the context.
 */
export interface ExecutionCall {
  readonly operation: PreparedOperation;
  readonly context: RouterContext;
  /** Delivered part by part (`@defer`): its headers are sent before it finishes, and it is never stored whole. */
  readonly incremental: boolean;
  /** Restricted by each subgraph fetch's Cache-Control, replaced by a cache hit's stored policy. */
  readonly cachePolicy: CachePolicy;
  /** Response headers, for the transports that carry them (HTTP); errors' `extensions.http` headers land here too. */
  readonly headers: Map<string, string>;
  /** The HTTP status errors asked for (`extensions.http`); undefined: 200. */
  status?: number;
  /** The response's errors as raised (whole, for logs and metrics); the caller gets them formatted. */
  errors?: readonly GraphQLError[];
}

/**
 * A concern of execution, on the same two hooks for every transport (the way Hive Gateway and
 * Envelop make each concern a plugin): the response cache, metrics, the request log and the
 * Cache-Control header are each one. Each hook runs exactly once per operation.
 */
export interface ExecutionPlugin {
  /** Before execution: the data to answer with instead of executing (the response cache); the first plugin that answers wins. */
  answer?(call: ExecutionCall): Promise<Record<string, unknown> | undefined> | undefined;
  /**
   * Once the response is complete, before any transport sends it (an incremental one: once its last
   * part is delivered, or its caller has gone): count it, log it, store it, add headers.
   */
  finished?(call: ExecutionCall, result: FormattedExecutionResult): void | Promise<void>;
}

export interface OperationExecutionOptions {
  /** Run in this order, each hook once per operation. Default: none. */
  plugins?: readonly ExecutionPlugin[];
  /** The one formatter of errors (stage 11). */
  errors: ResponseErrors;
}

export interface ExecutedOperation {
  call: ExecutionCall;
  /** What the caller gets: errors formatted, fields in GraphQL-over-HTTP order (errors, data, extensions). */
  result: FormattedExecutionResult;
}

export interface OperationExecution {
  /**
   * Runs a prepared query or mutation (through authorization's decision, on the schema state it was
   * validated on), or answers `refusal` in its place (a transport's rule the operation breaks, e.g.
   * a mutation over GET), with every plugin's hooks around it.
   */
  execute(operation: PreparedOperation, context: RouterContext, refusal?: GraphQLError): Promise<ExecutedOperation>;
  /**
   * The payloads of a query whose plan defers parts with its variables (`@defer`), as they are
   * ready, errors formatted, with the plugins' `finished` hooks once it ends; undefined when
   * nothing is deferred, and the caller runs it with `execute`. Cached answers are whole
   * responses, so no plugin answers in its place.
   */
  executeIncrementally(operation: PreparedOperation, context: RouterContext): AsyncGenerator<ExecutionResult> | undefined;
}

/**
 * Stage 10 for queries and mutations, for every transport (HTTP, graphql-ws, SSE alike): so every
 * operation runs under the same rules, with the same plugins, whichever way it came.
 */
export function operationExecution(options: OperationExecutionOptions): OperationExecution {
  const plugins = options.plugins ?? [];
  const answering = plugins.filter((plugin) => plugin.answer);
  const finishing = plugins.filter((plugin) => plugin.finished);
  const finish = async (call: ExecutionCall, result: FormattedExecutionResult) => {
    if (finishing.length === 1) await finishing[0]!.finished!(call, result);
    else await Promise.all(finishing.map((plugin) => plugin.finished!(call, result)));
  };
  return {
    async execute(operation, context, refusal) {
      const call: ExecutionCall = { operation, context, incremental: false, cachePolicy: new CachePolicy(), headers: new Map() };
      let raw: ExecutorResult;
      // An error instead of a result (a refusal, an executor that threw) is a failed request: 500 unless it says otherwise.
      let failed = false;
      if (refusal) {
        raw = { errors: [refusal] };
        failed = true;
      } else {
        let answered: Record<string, unknown> | undefined;
        for (const plugin of answering) {
          answered = await plugin.answer!(call);
          if (answered) break;
        }
        try {
          raw = answered
            ? { data: answered }
            : await executeAuthorized(operation.authorized, operation.document, operation.queryHash, (document, queryHash) =>
                operation.schemaState.executor(gatewayRequest(call, document, queryHash, options.errors.logger)),
              );
        } catch (error) {
          raw = { errors: [ensureGraphQLError(error)] };
          failed = true;
        }
      }
      let errors: FormattedExecutionResult['errors'];
      if (raw.errors?.length) {
        call.errors = raw.errors;
        const formatted = formatErrors(raw.errors, options.errors.format);
        errors = formatted.formatted;
        for (const [name, value] of formatted.http.headers) call.headers.set(name, value);
        // No data at all is a request error (variables the operation cannot run with): 400, as GraphQL over HTTP says.
        call.status = formatted.http.status ?? (failed ? 500 : raw.data === undefined ? 400 : undefined);
      }
      const result: FormattedExecutionResult = { errors, data: raw.data, extensions: raw.extensions };
      await finish(call, result);
      return { call, result };
    },
    executeIncrementally(operation, context) {
      const payloads = operation.schemaState.operations.incremental(operation, context, options.errors.logger);
      if (!payloads) return undefined;
      const call: ExecutionCall = { operation, context, incremental: true, cachePolicy: new CachePolicy(), headers: new Map() };
      return deliverIncrementally(payloads, call, options.errors, finish);
    },
  };
}

/**
 * Passes the payloads on with their errors formatted, and finishes the call once: after the last
 * payload, a failure (which the transport reports), or the caller's leaving. The plugins see every
 * error of every payload, and the data of the first.
 */
async function* deliverIncrementally(
  payloads: AsyncGenerator<IncrementalPayload>,
  call: ExecutionCall,
  responseErrors: ResponseErrors,
  finish: (call: ExecutionCall, result: FormattedExecutionResult) => Promise<void>,
): AsyncGenerator<ExecutionResult> {
  const raised: GraphQLError[] = [];
  const formatted: GraphQLFormattedError[] = [];
  let data: Record<string, unknown> | null | undefined;
  try {
    const formatting = formattedPayloads(payloads, (errors) => {
      raised.push(...asGraphQLErrors(errors));
      // What the log shows of an error already formatted is its message (there is no original error or stack to describe).
      const leaving = errors.map((error) => responseErrors.format(error, error.message));
      formatted.push(...leaving);
      return leaving;
    });
    for await (const payload of formatting) {
      if ('data' in payload && data === undefined) data = payload.data;
      yield payload;
    }
  } catch (error) {
    raised.push(ensureGraphQLError(error));
    call.status = 500;
    throw error;
  } finally {
    if (raised.length) call.errors = raised;
    await finish(call, { errors: formatted.length ? formatted : undefined, data });
  }
}

/** Caches the gateway's executor may ask for; ours does not, and the gateway's data sources only for APQ, which is off. */
const UNUSED_CACHE = new InMemoryLRUCache<string>({ maxSize: 1024 });

/**
 * The request context a gateway executor runs with (ours reads the operation from the context;
 * stock @apollo/gateway's, `QUERY_EXECUTOR=gateway`, reads all of it). `overallCachePolicy` is
 * the call's: the subgraph data sources restrict it.
 */
function gatewayRequest(call: ExecutionCall, document: DocumentNode, queryHash: string, logger: Logger): GatewayGraphQLRequestContext<RouterContext> {
  const { operation, context } = call;
  return {
    request: { query: operation.query, operationName: operation.operationName, variables: operation.variables, extensions: operation.extensions },
    logger,
    schema: operation.schemaState.gatewaySchema,
    schemaHash: '' as GatewayGraphQLRequestContext<RouterContext>['schemaHash'],
    context,
    cache: UNUSED_CACHE,
    queryHash,
    document,
    source: operation.query,
    operationName: operation.operation.name?.value ?? null,
    operation: operation.operation,
    metrics: {},
    debug: false,
    overallCachePolicy: call.cachePolicy,
    requestIsBatched: false,
  };
}

/**
 * What graphql-ws and SSE execute: the prepared operation rides in the context. Queries and
 * mutations run through the same execution as HTTP; subscriptions on the federated engine with
 * the pipeline's plan; an operation that defers parts is delivered payload by payload.
 */
export interface OperationRunner {
  /** One result; or, for an operation that defers parts, its payloads as they are ready (`@defer`, incremental delivery). */
  execute(args: ExecutionArgs): Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>>;
  subscribe(args: ExecutionArgs): AsyncIterableIterator<ExecutionResult>;
}

/** The arguments the streaming transports execute with: the prepared operation rides in the context. */
export function executionArgs(operation: PreparedOperation): ExecutionArgs {
  const contextValue: RouterContext = { identity: operation.identity, requestId: operation.requestId, operation, finished: {} };
  return {
    schema: operation.schemaState.apiSchema,
    document: operation.document,
    operationName: operation.operationName,
    variableValues: operation.variables,
    contextValue,
  };
}

export function operationRunner(execution: OperationExecution, engine: SubscriptionEngine): OperationRunner {
  const prepared = (args: ExecutionArgs): { context: RouterContext; operation: PreparedOperation } => {
    const context = args.contextValue as RouterContext;
    if (!context.operation) throw new Error('An operation reached execution without passing the pipeline');
    return { context, operation: context.operation };
  };
  return {
    async execute(args) {
      const { context, operation } = prepared(args);
      const payloads = execution.executeIncrementally(operation, context);
      if (payloads) return payloads;
      const { errors, ...result } = (await execution.execute(operation, context)).result;
      // graphql-ws serialises errors with toJSON: formatted errors become GraphQLErrors again.
      return errors ? { ...(result as ExecutionResult), errors: asGraphQLErrors(errors) } : (result as ExecutionResult);
    },
    subscribe(args) {
      const { context, operation } = prepared(args);
      return engine.subscribe({ operation, context });
    },
  };
}

import type { ApolloServer } from '@apollo/server';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import type { RouterContext } from '../context';
import type { SubscriptionEngine } from '../subscriptions/engine';
import { asGraphQLErrors, publicPayloads, type ResponseErrors } from './11-respond';
import type { PreparedOperation } from './operation-request';

/**
 * Stage 10 for the streaming transports (graphql-ws, SSE): queries and mutations run through the
 * same Apollo Server as HTTP (our executor, response cache, metrics and request log plugins),
 * handed the text the pipeline already parsed and validated, which Apollo finds in its document
 * store instead of parsing again; subscriptions run on the federated engine with the pipeline's plan.
 * An operation that defers parts is delivered by our executor directly, payload by payload, which
 * Apollo Server cannot do. (Over HTTP, Apollo Server continues the request itself once the
 * pipeline let it through, except for `@defer` to clients that accept multipart responses.)
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

export function operationRunner(apollo: ApolloServer<RouterContext>, engine: SubscriptionEngine, responseErrors: ResponseErrors): OperationRunner {
  const prepared = (args: ExecutionArgs): { context: RouterContext; operation: PreparedOperation } => {
    const context = args.contextValue as RouterContext;
    if (!context.operation) throw new Error('An operation reached execution without passing the pipeline');
    return { context, operation: context.operation };
  };
  return {
    async execute(args) {
      const { context, operation } = prepared(args);
      const payloads = operation.schemaState.operations.incremental(operation, context, responseErrors.logger);
      if (payloads) return publicPayloads(payloads, responseErrors, operation.requestId);
      const response = await apollo.executeOperation(
        { query: operation.query, variables: operation.variables, operationName: operation.operationName },
        { contextValue: context },
      );
      if (response.body.kind !== 'single') throw new Error('Incremental delivery is not supported on streaming transports');
      const { errors, ...result } = response.body.singleResult;
      // graphql-ws serialises errors with toJSON: formatted errors become GraphQLErrors again.
      return errors ? { ...(result as ExecutionResult), errors: asGraphQLErrors(errors) } : (result as ExecutionResult);
    },
    subscribe(args) {
      const { context, operation } = prepared(args);
      return engine.subscribe({ operation, context });
    },
  };
}

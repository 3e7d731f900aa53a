import { print, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { ApolloServer } from '@apollo/server';
import type { RouterContext } from '../context';
import type { SubscriptionEngine } from './engine';

/**
 * How the streaming transports (graphql-ws, SSE) run operations: queries and mutations through
 * the same Apollo Server as HTTP (so every plugin and limit applies), subscriptions through the
 * federated engine. Transports only carry bytes; this decides what runs.
 */
export interface OperationRunner {
  execute(args: ExecutionArgs): Promise<ExecutionResult>;
  subscribe(args: ExecutionArgs): AsyncIterableIterator<ExecutionResult>;
}

export function operationRunner(apollo: ApolloServer<RouterContext>, engine: SubscriptionEngine): OperationRunner {
  return {
    async execute(args) {
      const response = await apollo.executeOperation(
        { query: print(args.document), variables: args.variableValues ?? undefined, operationName: args.operationName ?? undefined },
        { contextValue: args.contextValue as RouterContext },
      );
      if (response.body.kind !== 'single') throw new Error('Incremental delivery is not supported on streaming transports');
      return response.body.singleResult as ExecutionResult;
    },
    subscribe(args) {
      return engine.subscribe({
        document: args.document,
        query: print(args.document),
        operationName: args.operationName ?? undefined,
        variables: (args.variableValues ?? {}) as Record<string, unknown>,
        context: args.contextValue as RouterContext,
      });
    },
  };
}

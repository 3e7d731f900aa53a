import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { hasErrorCode, type Logger } from '@supergraph/server';
import type { RouterContext } from './context';
import { logSubgraphErrors } from './pipeline/11-respond';

/**
 * Per-operation log lines, each carrying the request id (the one the caller sent in
 * `x-request-id`, or the one the router made; the same id reaches every subgraph, whose lines
 * carry it too). Debug level for every finished operation, warn for subgraph outages. One
 * listener serves every request: a child logger is made only when a line is written.
 */
export function requestLogPlugin(logger: Logger, debug: boolean): ApolloServerPlugin<RouterContext> {
  const forRequest = (context: RouterContext) => logger.child({ requestId: context.requestId });
  const listener: GraphQLRequestListener<RouterContext> = {
    async didEncounterErrors({ contextValue, errors }) {
      // Callers get a subgraph's error cut down to message, code and path (stage 11); the log keeps it whole.
      logSubgraphErrors(
        logger,
        contextValue.requestId,
        errors.map((error) => error.toJSON()),
      );
      for (const error of errors) {
        if (hasErrorCode(error, 'SUBGRAPH_UNAVAILABLE')) {
          forRequest(contextValue).warn('subgraph unavailable', { subgraph: error.extensions.serviceName, reason: error.extensions.reason });
        }
      }
    },
    ...(debug
      ? {
          async willSendResponse({ contextValue, operationName, response }) {
            const errors = response.body.kind === 'single' ? (response.body.singleResult.errors?.length ?? 0) : 0;
            const durationMs = contextValue.receivedAt === undefined ? undefined : Math.round(performance.now() - contextValue.receivedAt);
            forRequest(contextValue).debug('operation finished', { operation: operationName ?? null, status: response.http.status ?? 200, errors, durationMs });
          },
        }
      : {}),
  };
  return { requestDidStart: async () => listener };
}

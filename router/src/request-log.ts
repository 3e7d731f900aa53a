import { hasErrorCode, type Logger } from '@supergraph/server';
import type { ExecutionPlugin } from './pipeline/10-execute';
import { logSubgraphErrors } from './pipeline/11-respond';

/**
 * Per-operation log lines, each carrying the request id (the one the caller sent in
 * `x-request-id`, or the one the router made; the same id reaches every subgraph, whose lines
 * carry it too). Debug level for every finished operation, warn for subgraph outages. A child
 * logger is made only when a line is written. Stage 10's plugin, for every transport.
 */
export function requestLogPlugin(logger: Logger, debug: boolean): ExecutionPlugin {
  return {
    finished(call, result) {
      const requestId = call.context.requestId;
      if (call.errors?.length) {
        // Callers get a subgraph's error cut down to message, code and path (stage 11); the log keeps it whole.
        logSubgraphErrors(
          logger,
          requestId,
          call.errors.map((error) => error.toJSON()),
        );
        for (const error of call.errors) {
          if (hasErrorCode(error, 'SUBGRAPH_UNAVAILABLE')) {
            logger.child({ requestId }).warn('subgraph unavailable', { subgraph: error.extensions.serviceName, reason: error.extensions.reason });
          }
        }
      }
      if (debug) {
        const receivedAt = call.context.receivedAt;
        logger.child({ requestId }).debug('operation finished', {
          operation: call.operation.operation.name?.value ?? null,
          status: call.status ?? 200,
          errors: result.errors?.length ?? 0,
          durationMs: receivedAt === undefined ? undefined : Math.round(performance.now() - receivedAt),
        });
      }
    },
  };
}

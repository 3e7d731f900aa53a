import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionResult } from 'graphql';
import type { Logger } from '@supergraph/server';
import type { RouterContext } from './context';
import type { OperationExecution } from './pipeline/10-execute';

/** The multipart flavour Apollo Client asks for and reads (`Accept: multipart/mixed;deferSpec=20220824`). */
const CONTENT_TYPE = 'multipart/mixed; boundary="-"; deferSpec=20220824';
const PART_HEADER = 'content-type: application/json; charset=utf-8\r\n\r\n';

/**
 * `@defer` over HTTP: an operation whose plan defers parts, from a client that accepts multipart
 * responses, is answered part by part (the primary data first, each deferred fragment as it is
 * ready). Only JSON POSTs are answered here, after CSRF prevention like every request. Everything
 * else returns false and goes on to the one-response path (http/graphql-over-http.ts).
 */
export function incrementalHttpResponder(execution: OperationExecution, logger: Logger) {
  return async (pending: Promise<RouterContext>, request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    if (request.method !== 'POST' || !acceptsMultipart(request) || !(request.headers['content-type'] ?? '').includes('application/json')) return false;
    // A refused request (the pipeline threw) is answered on the one-response path, with the refusal's status.
    const context = await pending.catch(() => undefined);
    const operation = context?.operation;
    if (!operation || operation.operationType !== 'query') return false;
    const payloads = execution.executeIncrementally(operation, context);
    if (!payloads) return false;
    await writeParts(response, payloads, logger);
    return true;
  };
}

function acceptsMultipart(request: IncomingMessage): boolean {
  return /multipart\/mixed/.test(request.headers.accept ?? '');
}

/** Each payload as a JSON part; the closing delimiter follows the last (`hasNext: false`) or a failure. */
async function writeParts(response: ServerResponse, payloads: AsyncGenerator<ExecutionResult>, logger: Logger): Promise<void> {
  response.writeHead(200, { 'content-type': CONTENT_TYPE, 'cache-control': 'no-cache' });
  const stop = () => void payloads.return(undefined);
  response.once('close', stop);
  response.write('\r\n---\r\n');
  try {
    for await (const payload of payloads) {
      if (!response.writable) break;
      const last = (payload as { hasNext?: boolean }).hasNext !== true;
      response.write(`${PART_HEADER}${JSON.stringify(payload)}\r\n---${last ? '--' : ''}\r\n`);
      if (last) break;
    }
  } catch (error) {
    logger.error('incremental response failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    if (response.writable) {
      const failure = { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }], hasNext: false };
      response.write(`${PART_HEADER}${JSON.stringify(failure)}\r\n-----\r\n`);
    }
  } finally {
    response.off('close', stop);
  }
  response.end();
}

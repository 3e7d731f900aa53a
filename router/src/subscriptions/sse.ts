import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { httpHeadOf, readBody, sendJson, sendJsonError, type Logger } from '@supergraph/server';
import { badRequest } from '../pipeline/01-input-limits';
import { executionArgs, type OperationRunner } from '../pipeline/10-execute';
import { streamingRefusal } from '../pipeline/11-respond';
import type { OperationParams, OperationRequest, PreparedOperation } from '../pipeline/operation-request';
import { asStream, oneResult } from './engine';

export interface ServerSentEventsOptions {
  operations: OperationRunner;
  pipeline(request: OperationRequest): Promise<PreparedOperation>;
  requestId(request: IncomingMessage): string;
  /** MAX_BODY_BYTES: larger POST bodies get 413 before they are parsed. */
  maxBodyBytes: number;
  /** WS_KEEPALIVE_MS: interval of comment lines that keep idle streams open through proxies. */
  keepAliveMs: number;
  logger: Logger;
}

/**
 * GraphQL over Server-Sent Events, in the graphql-sse protocol's "distinct connections" mode: a
 * POST (JSON body) or GET (URL parameters) to /graphql with `Accept: text/event-stream` streams the
 * operation's results as `next` events and ends with `complete`. For clients that cannot open a
 * WebSocket, or pass through proxies that do not allow one.
 *
 * A transport only: it reads the parameters as sent (a persisted query's hash without its text
 * included) and hands them to the pipeline. What the pipeline refuses is answered as over HTTP
 * (the code's status and a JSON body); refusals that carry no status (a subscription's
 * authorization) are streamed as one error result.
 */
export function serverSentEventsHandler(options: ServerSentEventsOptions) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestId = options.requestId(request);
    let operation: PreparedOperation;
    try {
      const params = await readParams(request, options.maxBodyBytes);
      if (!params) return sendJsonError(response, 'REQUEST_TOO_LARGE', `Request body is larger than ${options.maxBodyBytes} bytes`);
      operation = await options.pipeline({ transport: 'sse', method: request.method, params, client: request, requestId });
    } catch (error) {
      const refusal = streamingRefusal(error, options.logger, requestId);
      const http = error instanceof GraphQLError ? httpHeadOf(error.extensions) : { status: 500, headers: new Map<string, string>() };
      if (http?.status === undefined || http.status === 200) return stream(response, oneResult({ errors: [refusal] }), options);
      // With the refusal's headers, as over HTTP: a rate limit's Retry-After says when to come back.
      return sendJson(response, http.status, { errors: [refusal] }, Object.fromEntries(http.headers));
    }
    const args = executionArgs(operation);
    const results = operation.operationType === 'subscription' ? options.operations.subscribe(args) : asStream(await options.operations.execute(args));
    await stream(response, results, options);
  };
}

export function wantsEventStream(request: IncomingMessage): boolean {
  return (request.headers.accept ?? '').includes('text/event-stream');
}

/** The request's GraphQL parameters, unchecked (stage 1 checks them); undefined when the body is too large. */
async function readParams(request: IncomingMessage, maxBodyBytes: number): Promise<OperationParams | undefined> {
  if (request.method === 'GET') {
    const search = new URL(request.url ?? '/', 'http://router').searchParams;
    return {
      query: search.get('query') ?? undefined,
      operationName: search.get('operationName') ?? undefined,
      variables: jsonParameter(search.get('variables'), 'variables'),
      extensions: jsonParameter(search.get('extensions'), 'extensions'),
    };
  }
  if (request.method !== 'POST') throw badRequest('Server-Sent Events are served for GET and POST requests');
  if (!(request.headers['content-type'] ?? '').includes('application/json')) throw badRequest('A POST body must be JSON (content-type: application/json)');
  const read = await readBody(request, maxBodyBytes);
  if (read.kind === 'tooLarge') return undefined;
  const body = jsonParameter(read.text, 'body');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The JSON body must be an object');
  const { query, operationName, variables, extensions } = body as OperationParams;
  return { query, operationName, variables, extensions };
}

function jsonParameter(text: string | null, name: string): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest(`"${name}" is not valid JSON`);
  }
}

/** Writes results as `next` events, then `complete`; stops early when the client goes away. */
async function stream(response: ServerResponse, results: AsyncIterableIterator<ExecutionResult>, options: ServerSentEventsOptions): Promise<void> {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  response.flushHeaders();
  const stop = () => void results.return?.();
  response.once('close', stop);
  const keepAlive = setInterval(() => response.write(':\n\n'), options.keepAliveMs);
  try {
    for await (const result of results) {
      if (!response.writable) break;
      // JSON.stringify honours each error's toJSON: what leaves is the formatted, public error.
      response.write(`event: next\ndata: ${JSON.stringify(result)}\n\n`);
    }
  } catch (error) {
    options.logger.error('subscription stream failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    if (response.writable)
      response.write(
        `event: next\ndata: ${JSON.stringify({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] })}\n\n`,
      );
  } finally {
    clearInterval(keepAlive);
    response.off('close', stop);
  }
  if (response.writable) response.end('event: complete\ndata:\n\n');
}

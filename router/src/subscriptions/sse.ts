import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { createHandler, type OperationArgs, type Response } from 'graphql-sse';
import { readBody, sendJsonError, type Logger } from '@supergraph/server';
import type { RouterContext } from '../context';
import { executionArgs, type OperationRunner } from '../pipeline/10-execute';
import { streamingRefusal } from '../pipeline/11-respond';
import type { OperationRequest, PreparedOperation } from '../pipeline/operation-request';

// graphql-sse wants an index-signature record as the context type.
type SseContext = RouterContext & Record<PropertyKey, unknown>;

/**
 * GraphQL over Server-Sent Events (graphql-sse, "distinct connections" mode): a POST or GET to
 * /graphql with `Accept: text/event-stream` streams the operation's results. For clients that
 * cannot open a WebSocket, or pass through proxies that do not allow one. A transport only: the
 * body is read up to MAX_BODY_BYTES (413 past it), and the operation passes the same pipeline as
 * HTTP; what the pipeline refuses is answered as over HTTP (the code's status and a JSON body),
 * or, for refusals that carry no status (a subscription's authorization), streamed as one error result.
 */
export function serverSentEventsHandler(options: {
  operations: OperationRunner;
  pipeline(request: OperationRequest): Promise<PreparedOperation>;
  requestId(request: IncomingMessage): string;
  maxBodyBytes: number;
  logger: Logger;
}) {
  const handler = createHandler<IncomingMessage, undefined, SseContext>({
    onSubscribe: async (request, params): Promise<OperationArgs<SseContext> | ExecutionResult | Response> => {
      const raw = request.raw;
      const requestId = options.requestId(raw);
      try {
        const operation = await options.pipeline({ transport: 'sse', method: raw.method, params, client: raw, requestId });
        return executionArgs(operation) as OperationArgs<SseContext>;
      } catch (error) {
        const refusal = streamingRefusal(error, options.logger, requestId);
        const status = error instanceof GraphQLError ? (error.extensions.http as { status?: number } | undefined)?.status : 500;
        if (status === undefined || status === 200) return { errors: [refusal] };
        return [JSON.stringify({ errors: [refusal] }), { status, statusText: '', headers: { 'content-type': 'application/json; charset=utf-8' } }];
      }
    },
    execute: (args) => options.operations.execute(args),
    subscribe: (args) => options.operations.subscribe(args),
  });

  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    let body: string | undefined;
    if (request.method === 'POST') {
      const read = await readBody(request, options.maxBodyBytes);
      if (read.kind === 'tooLarge') return sendJsonError(response, 'REQUEST_TOO_LARGE', `Request body is larger than ${options.maxBodyBytes} bytes`);
      body = read.text;
    }
    const [result, init] = await handler({
      method: request.method!,
      url: request.url!,
      headers: { get: (name) => [request.headers[name]].flat().join('\n') || undefined },
      body: body ?? null,
      raw: request,
      context: undefined,
    });
    response.writeHead(init.status, init.statusText, init.headers);
    if (!result || typeof result === 'string') {
      response.end(result);
      return;
    }
    // Streams until the operation ends or the client goes away.
    const stop = () => void result.return(undefined);
    response.once('close', stop);
    for await (const chunk of result) {
      if (!response.writable) break;
      response.write(chunk);
    }
    response.off('close', stop);
    response.end();
  };
}

export function wantsEventStream(request: IncomingMessage): boolean {
  return (request.headers.accept ?? '').includes('text/event-stream');
}

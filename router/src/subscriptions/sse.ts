import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/http';
import type { Identity } from '@supergraph/identity';
import { sendJsonError } from '@supergraph/server';
import type { RouterContext } from '../context';
import type { OperationRunner } from './operations';

/**
 * GraphQL over Server-Sent Events (graphql-sse, "distinct connections" mode): a POST or GET to
 * /graphql with `Accept: text/event-stream` streams the operation's results. For clients that
 * cannot open a WebSocket, or pass through proxies that do not allow one.
 */
export function serverSentEventsHandler(options: {
  schema: GraphQLSchema;
  operations: OperationRunner;
  authenticate(request: IncomingMessage): Promise<Identity>;
  requestId(request: IncomingMessage): string;
}) {
  const identities = new WeakMap<IncomingMessage, Identity>();
  // graphql-sse wants an index-signature record as the context type.
  const handler = createHandler<RouterContext & Record<PropertyKey, unknown>>({
    schema: options.schema,
    context: (request) => ({ identity: identities.get(request.raw)!, requestId: options.requestId(request.raw) }),
    execute: (args) => options.operations.execute(args),
    subscribe: (args) => options.operations.subscribe(args),
  });

  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    try {
      identities.set(request, await options.authenticate(request));
    } catch (error) {
      if (error instanceof GraphQLError) return sendJsonError(response, 'UNAUTHENTICATED', error.message);
      throw error;
    }
    await handler(request, response);
  };
}

export function wantsEventStream(request: IncomingMessage): boolean {
  return (request.headers.accept ?? '').includes('text/event-stream');
}

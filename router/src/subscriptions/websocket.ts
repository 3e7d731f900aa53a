import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import type { Identity } from '@supergraph/identity';
import { clientError, serveGraphQLWebSockets, type Logger } from '@supergraph/server';
import { executionArgs, type OperationRunner } from '../pipeline/10-execute';
import { streamingRefusal } from '../pipeline/11-respond';
import type { OperationRequest, PreparedOperation, RequestClient } from '../pipeline/operation-request';
import { SocketTicketRefused, type SocketTickets } from '../socket-tickets';

type ConnectionState = { identity?: Identity; client?: RequestClient; subscriptions: number } & Record<PropertyKey, unknown>;

/**
 * graphql-ws (graphql-transport-ws) for clients on the router's /graphql. A transport only: each
 * `subscribe` message becomes an OperationRequest that passes the same pipeline as HTTP, and what
 * the pipeline refuses is an `error` message on that operation id (the socket and its other
 * operations carry on). The caller authenticates once, in `connection_init` (`authorization` or
 * `x-api-key`) or on the upgrade request's headers, exactly as an HTTP request would; a browser page,
 * whose script holds no token, sends a one-time `ticket` instead (../socket-tickets.ts). Frames over
 * `maxPayloadBytes` (MAX_BODY_BYTES) close the socket with 1009 before they are parsed.
 */
export function serveClientWebSockets(options: {
  server: Server;
  operations: OperationRunner;
  pipeline(request: OperationRequest): Promise<PreparedOperation>;
  authenticate(headers: IncomingHttpHeaders): Promise<Identity>;
  tickets: SocketTickets;
  maxPayloadBytes: number;
  maxSubscriptionsPerConnection: number;
  keepAliveMs: number;
  logger: Logger;
}): { close(): Promise<void>; readonly openConnections: number } {
  return serveGraphQLWebSockets<Record<string, unknown>, ConnectionState>({
    server: options.server,
    maxPayloadBytes: options.maxPayloadBytes,
    keepAliveMs: options.keepAliveMs,
    logger: options.logger,
    graphql: {
      onConnect: async (ctx) => {
        ctx.extra.subscriptions = 0;
        try {
          const { request } = ctx.extra;
          const ticket = ctx.connectionParams?.ticket;
          const credential =
            typeof ticket === 'string' ? await options.tickets.redeem(ticket, request.headers.origin) : credentialHeaders(ctx.connectionParams);
          const headers = { ...request.headers, ...credential };
          ctx.extra.identity = await options.authenticate(headers);
          ctx.extra.client = { headers, socket: request.socket };
          return true;
        } catch (error) {
          if (error instanceof SocketTicketRefused) {
            ctx.extra.socket.close(error.closeCode, error.message.slice(0, 120));
            return false;
          }
          const message = error instanceof GraphQLError ? error.message : 'Authentication failed';
          // 4401 tells the client why, where graphql-ws' own refusal would only say "Forbidden".
          ctx.extra.socket.close(4401, message.slice(0, 120));
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        if ((ctx.extra.subscriptions ?? 0) >= options.maxSubscriptionsPerConnection) {
          return [
            clientError('SUBSCRIPTION_LIMIT_EXCEEDED', `At most ${options.maxSubscriptionsPerConnection} operations may run at once on one connection`, {
              limit: options.maxSubscriptionsPerConnection,
            }),
          ];
        }
        const requestId = randomUUID();
        try {
          const operation = await options.pipeline({
            transport: 'websocket',
            params: payload,
            client: ctx.extra.client!,
            identity: ctx.extra.identity!,
            requestId,
          });
          ctx.extra.subscriptions = (ctx.extra.subscriptions ?? 0) + 1;
          return executionArgs(operation);
        } catch (error) {
          return [streamingRefusal(error, options.logger, requestId)];
        }
      },
      onComplete: (ctx) => {
        ctx.extra.subscriptions = (ctx.extra.subscriptions ?? 1) - 1;
      },
      execute: (args) => options.operations.execute(args),
      subscribe: (args) => options.operations.subscribe(args),
    },
  });
}

/** Credentials a browser client can only send in the connection_init payload. */
function credentialHeaders(params: Record<string, unknown> | undefined): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  const authorization = params?.authorization ?? params?.Authorization;
  const apiKey = params?.['x-api-key'];
  if (typeof authorization === 'string') headers.authorization = authorization;
  if (typeof apiKey === 'string') headers['x-api-key'] = apiKey;
  return headers;
}

import type { Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { IDENTITY_HEADER, IdentityVerificationError, SIGNATURE_HEADER, verifyIdentity, type Identity } from '@supergraph/identity';
import { serveGraphQLWebSockets, type Logger } from '@supergraph/server';
import { subscribeWithPositions } from './event-positions';
import type { RequestBase } from './serve-subgraph';

/** What the router sends in `connection_init`: the same signed headers as on HTTP. */
export type SubgraphConnectionParams = { headers?: Record<string, string> } & Record<string, unknown>;

type ConnectionState = { identity?: Identity; requestId?: string } & Record<PropertyKey, unknown>;

/**
 * Subscriptions over graphql-ws (graphql-transport-ws) on the subgraph's /graphql. The router
 * is the only client: the connection is accepted only when `connection_init` carries a valid
 * router signature, and every operation on it runs as that identity.
 */
export function serveSubscriptions<TContext extends RequestBase>(options: {
  server: Server;
  schema: GraphQLSchema;
  signingSecret: string;
  logger: Logger;
  createContext(base: RequestBase): TContext;
  keepAliveMs: number;
}): { close(): Promise<void> } {
  return serveGraphQLWebSockets<SubgraphConnectionParams, ConnectionState>({
    server: options.server,
    keepAliveMs: options.keepAliveMs,
    logger: options.logger,
    graphql: {
      schema: options.schema,
      subscribe: subscribeWithPositions,
      onConnect: (ctx) => {
        const headers = ctx.connectionParams?.headers ?? {};
        try {
          ctx.extra.identity = verifyIdentity(headers[IDENTITY_HEADER], headers[SIGNATURE_HEADER], options.signingSecret);
          ctx.extra.requestId = headers['x-request-id'];
          return true;
        } catch (error) {
          if (error instanceof IdentityVerificationError) {
            options.logger.warn('refused a subscription connection', { reason: error.message });
            return false; // graphql-ws closes with 4403 Forbidden
          }
          throw error;
        }
      },
      context: (ctx) =>
        options.createContext({
          identity: ctx.extra.identity!,
          requestId: ctx.extra.requestId,
          logger: ctx.extra.requestId ? options.logger.child({ requestId: ctx.extra.requestId }) : options.logger,
        }),
    },
  });
}

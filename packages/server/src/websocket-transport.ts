import type { IncomingMessage, Server } from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from './logger';

/** What every connection's context carries besides what the caller keeps in it. */
export type WebSocketExtra = { readonly socket: WebSocket; readonly request: IncomingMessage };

export type WebSocketTransportOptions<P extends Record<PropertyKey, unknown> | undefined, E extends Record<PropertyKey, unknown>> = {
  server: Server;
  /** The graphql-ws protocol handlers (authentication, subscribe, execute…). */
  graphql: ServerOptions<P, WebSocketExtra & Partial<E>>;
  logger: Logger;
  /** URL path the sockets are served on. Default '/graphql'. */
  path?: string;
  /** Frames larger than this close the socket with 1009 before they are parsed. Default: ws' own (100 MiB). */
  maxPayloadBytes?: number;
  /** A ping every this many ms; a peer that does not pong within as long again is dropped. 0 turns it off. */
  keepAliveMs: number;
};

/**
 * graphql-transport-ws on a Node HTTP server. graphql-ws' own `ws` adapter writes socket faults to
 * the console with a stack trace — including a client's frame over the size limit, which is the
 * client's mistake and already answered with 1009 — so this adapter binds the protocol to `ws`
 * itself and reports through the service's logger: client faults as warnings without a stack, the
 * protocol handlers' own failures as errors.
 */
export function serveGraphQLWebSockets<P extends Record<PropertyKey, unknown> | undefined, E extends Record<PropertyKey, unknown>>(
  options: WebSocketTransportOptions<P, E>,
): { close(): Promise<void>; readonly openConnections: number } {
  const protocol = makeServer(options.graphql);
  const sockets = new WebSocketServer({ server: options.server, path: options.path ?? '/graphql', maxPayload: options.maxPayloadBytes, handleProtocols });
  sockets.on('error', (error) => options.logger.error('the WebSocket server failed', { error: error.message }));

  sockets.on('connection', (socket, request) => {
    socket.on('error', (error: Error & { code?: string }) => {
      // ws has already closed the socket with the matching code (1009 for an oversized frame, 1002 for a protocol fault).
      options.logger.warn('a WebSocket client broke the protocol', { code: error.code, reason: error.message });
    });
    const stopKeepAlive = keepAlive(socket, options.keepAliveMs);
    const closed = protocol.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', async (data) => {
            try {
              await handle(String(data));
            } catch (error) {
              options.logger.error('a WebSocket message could not be handled', { error: error instanceof Error ? error.message : String(error) });
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      { socket, request } as WebSocketExtra & Partial<E>,
    );
    socket.once('close', (code, reason) => {
      stopKeepAlive();
      void closed(code, String(reason));
    });
  });

  return {
    get openConnections() {
      return sockets.clients.size;
    },
    close: async () => {
      for (const socket of sockets.clients) socket.close(1001, 'Going away');
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}

/** Pings the peer on an interval and drops it when a pong does not come back in time. */
function keepAlive(socket: WebSocket, intervalMs: number): () => void {
  if (!(intervalMs > 0 && Number.isFinite(intervalMs))) return () => {};
  let pongDeadline: NodeJS.Timeout | undefined;
  const pinger = setInterval(() => {
    if (socket.readyState !== socket.OPEN) return;
    pongDeadline = setTimeout(() => socket.terminate(), intervalMs);
    socket.once('pong', () => clearTimeout(pongDeadline));
    socket.ping();
  }, intervalMs);
  return () => {
    clearInterval(pinger);
    clearTimeout(pongDeadline);
  };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { corsHandler, type CorsOptions } from './cors';
import { sendJsonError } from './graphql-http';
import type { Logger } from './logger';

export type Route = (request: IncomingMessage, response: ServerResponse) => Promise<void> | void;

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  /** True from SIGTERM on: readiness probes should report the server as going away. */
  readonly draining: boolean;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), then closes. */
  stop(): Promise<void>;
}

/**
 * An HTTP server with the lifecycle every service of ours needs: path routing, a JSON 404,
 * no stack trace on a thrown handler, and a graceful stop that drains in-flight requests.
 */
export async function startHttpServer(options: {
  host: string;
  port: number;
  routes: Record<string, Route>;
  logger: Logger;
  graceMs: number;
  /** Browser pages on other origins allowed to call, answered before any route runs. Default: none (no CORS headers). */
  cors?: CorsOptions;
  /** Runs as the stop begins: end long-lived connections (WebSockets) that draining would wait on forever. */
  onDrain?: () => Promise<void>;
  /** Runs after the last request finished. */
  onStop?: () => Promise<void>;
}): Promise<RunningServer> {
  const { routes, logger } = options;
  let inFlight = 0;
  let draining = false;
  let drained: (() => void) | undefined;
  const cors = options.cors && corsHandler(options.cors);

  const server = createServer(async (request, response) => {
    inFlight++;
    response.on('close', () => {
      inFlight--;
      if (draining && inFlight === 0) drained?.();
    });
    if (draining) response.setHeader('connection', 'close');
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    const route = routes[path];
    // A preflight is answered here, before any route (GraphQL's CSRF prevention would refuse it).
    if (cors?.(request, response)) return;
    try {
      if (route) await route(request, response);
      else sendJsonError(response, 'NOT_FOUND', `No route for ${path}`);
    } catch (error) {
      logger.error('request handler failed', { path, error: error instanceof Error ? error.stack : String(error) });
      if (!response.headersSent) sendJsonError(response, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      else response.end();
    }
  });
  // Keep-alive connections from the router must outlive its idle timeout, or requests race a close.
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${port}`;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      draining = true;
      await options.onDrain?.();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((resolve) => (drained = resolve)), new Promise<void>((resolve) => setTimeout(resolve, options.graceMs).unref())]);
      }
      server.closeAllConnections();
      await closed;
      await options.onStop?.();
    })());

  return {
    server,
    url,
    port,
    get draining() {
      return draining;
    },
    stop,
  };
}

/** Stops the service on SIGTERM/SIGINT, once, and exits when it has drained. */
export function stopOnSignals(running: Pick<RunningServer, 'stop'>, logger: Logger): void {
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info('stopping', { signal });
    running.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error('unclean stop', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJsonError } from './graphql-http';

/** Which browser pages on other origins may call a server, and what they may send and read. */
export interface CorsOptions {
  /**
   * Origins allowed to call, exactly as browsers send them in `Origin` (`https://portal.example.com`,
   * `http://localhost:3000`: scheme, host and port, no path). They may send credentials (cookies).
   * `*` also lets any other origin call, but never with credentials: a bearer token in
   * `Authorization` still works, since that is an ordinary header. Empty: no cross-origin calls.
   */
  origins: readonly string[];
  /**
   * Request headers a page may send beyond the CORS-safelisted ones. Default: `authorization`,
   * `content-type`, `apollo-require-preflight`, `x-apollo-operation-name` (the last two satisfy
   * CSRF prevention), `x-request-id`.
   */
  allowedHeaders?: readonly string[];
  /** Response headers a page may read beyond the safelisted ones. Default: `x-request-id`, `retry-after` (on 429). */
  exposedHeaders?: readonly string[];
  /** How long a browser may reuse a preflight's answer. Default 600 seconds (Chromium caps it at 7200). */
  maxAgeSeconds?: number;
}

export const CORS_DEFAULTS = {
  allowedHeaders: ['authorization', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id'],
  exposedHeaders: ['x-request-id', 'retry-after'],
  maxAgeSeconds: 600,
} as const satisfies Omit<Required<CorsOptions>, 'origins'>;

const ALLOWED_METHODS = 'GET, POST, OPTIONS';

/**
 * Runs before any route: answers preflights itself (so they never meet CSRF prevention or
 * GraphQL) and marks every other response, errors included, as readable by an allowed origin.
 * Returns true when it answered the request. Headers are set with setHeader, so a route's own
 * writeHead keeps them. Origins not allowed get no CORS header at all, and the browser blocks them.
 */
export type CorsHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

export function corsHandler(options: CorsOptions): CorsHandler {
  const exact = new Set(options.origins.filter((origin) => origin !== '*'));
  const anyOrigin = options.origins.includes('*');
  const allowedHeaders = (options.allowedHeaders ?? CORS_DEFAULTS.allowedHeaders).join(', ');
  const exposedHeaders = (options.exposedHeaders ?? CORS_DEFAULTS.exposedHeaders).join(', ');
  const maxAge = String(options.maxAgeSeconds ?? CORS_DEFAULTS.maxAgeSeconds);

  return (request, response) => {
    if (exact.size === 0 && !anyOrigin) return false;
    // Answers differ by Origin: a shared cache must not hand one origin's answer to another.
    response.setHeader('vary', 'Origin');
    const origin = request.headers.origin;
    const preflight = request.method === 'OPTIONS' && origin !== undefined && request.headers['access-control-request-method'] !== undefined;
    const credentialed = origin !== undefined && exact.has(origin);
    if (origin === undefined || !(credentialed || anyOrigin)) {
      if (preflight) sendJsonError(response, 'FORBIDDEN', `Origin ${origin} may not call this server`);
      return preflight;
    }
    response.setHeader('access-control-allow-origin', credentialed ? origin : '*');
    if (credentialed) response.setHeader('access-control-allow-credentials', 'true');
    if (!preflight) {
      response.setHeader('access-control-expose-headers', exposedHeaders);
      return false;
    }
    response.writeHead(204, {
      'access-control-allow-methods': ALLOWED_METHODS,
      'access-control-allow-headers': allowedHeaders,
      'access-control-max-age': maxAge,
      'content-length': 0,
    });
    response.end();
    return true;
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import { httpStatusOf, type RequestErrorCode } from './error-codes';
import { extensionsWithoutHttp } from './errors';
import { InFlight } from './in-flight';

export interface GraphQLHttpOptions<TContext> {
  maxBodyBytes: number;
  /**
   * Names the response this request would get, when that response may be given to identical
   * requests in flight at the same moment (which then share one execution); undefined means the
   * request runs on its own. Whatever can change the response must be part of the key.
   */
  shareKey?: (request: HTTPGraphQLRequest, context: TContext) => string | undefined;
  /** Called for each request answered with another's response, with both contexts. */
  onShared?: (leader: TContext, follower: TContext) => void;
  /**
   * Lets the caller answer a request itself instead of Apollo Server (which cannot stream what a
   * gateway executor returns): true when it has answered. It gets the context as it is being made,
   * so it can pass over requests by their headers without waiting for it. Default: never.
   */
  respond?: (context: Promise<TContext>, request: IncomingMessage, response: ServerResponse) => Promise<boolean>;
}

interface Execution<TContext> {
  response: HTTPGraphQLResponse;
  context: Promise<TContext>;
}

/**
 * Serves an Apollo Server on plain node:http. We own this adapter (rather than pulling in a web
 * framework) because it is small and sits on the router's hot path.
 */
export function graphqlHttpHandler<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  /**
   * Runs before Apollo Server reads the GraphQL parameters: it may refuse the request (throw a
   * GraphQLError) or fill in what Apollo gets (a persisted query's text) on `httpRequest`.
   */
  context: (request: IncomingMessage, httpRequest: HTTPGraphQLRequest) => Promise<TContext>,
  options: GraphQLHttpOptions<TContext>,
) {
  const inFlight = new InFlight<Execution<TContext>>();
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = new URL(request.url ?? '/', 'http://localhost');

    let body: unknown;
    if (request.method === 'POST') {
      const read = await readBody(request, options.maxBodyBytes);
      if (read.kind === 'tooLarge') {
        return sendJsonError(response, 'REQUEST_TOO_LARGE', `Request body is larger than ${options.maxBodyBytes} bytes`);
      }
      body = read.text;
      if ((headers.get('content-type') ?? '').includes('json') && read.text.length > 0) {
        try {
          body = JSON.parse(read.text);
        } catch {
          return sendJsonError(response, 'BAD_REQUEST', 'Request body is not valid JSON');
        }
      }
    }

    const httpGraphQLRequest: HTTPGraphQLRequest = { method: request.method ?? 'GET', headers, search: url.search, body };
    const contextValue = context(request, httpGraphQLRequest);
    const execute = async (): Promise<Execution<TContext>> => ({
      response: await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: () => contextValue }),
      context: contextValue,
    });
    if (options.respond && (await options.respond(contextValue, request, response))) return;
    // A failing context (bad credentials, rate limit) is Apollo's to turn into a response: never shared.
    const key =
      options.shareKey &&
      (await contextValue.then(
        (value) => options.shareKey!(httpGraphQLRequest, value),
        () => undefined,
      ));
    let result: HTTPGraphQLResponse;
    if (key === undefined) {
      result = (await execute()).response;
    } else {
      const run = inFlight.run(key, execute);
      const shared = await run.result;
      // A streamed (incremental) body can be read once only: such a request runs on its own.
      result = run.shared && shared.response.body.kind !== 'complete' ? (await execute()).response : shared.response;
      if (run.shared && result === shared.response) options.onShared?.(await shared.context, await contextValue);
    }
    for (const [name, value] of result.headers) response.setHeader(name, value);
    response.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) response.write(chunk);
    response.end();
  };
  // How many requests are waiting for an identical one's response right now.
  return Object.defineProperty(handle, 'sharing', { get: () => inFlight.waiting }) as typeof handle & { readonly sharing: number };
}

export type BodyRead = { kind: 'ok'; text: string } | { kind: 'tooLarge' };

/** Reads a request body up to `limit` bytes (declared by content-length or streamed). */
export function readBody(request: IncomingMessage, limit: number): Promise<BodyRead> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) {
    request.resume();
    return Promise.resolve({ kind: 'tooLarge' });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        resolve({ kind: 'tooLarge' });
      } else {
        chunks.push(chunk);
      }
    });
    request.on('end', () => resolve({ kind: 'ok', text: Buffer.concat(chunks).toString('utf8') }));
    request.on('error', reject);
  });
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** Refuses a whole HTTP request with the code's status from the error table. */
export function sendJsonError(response: ServerResponse, code: RequestErrorCode, message: string): void {
  sendJson(response, httpStatusOf(code), { errors: [{ message, extensions: { code } }] });
}

/**
 * Answers a route outside Apollo Server with a request refusal (`requestRefused`) as Apollo Server
 * would: the status and headers (Retry-After) it carries in `extensions.http`, the rest in the body.
 */
export function sendRefusal(response: ServerResponse, error: GraphQLError): void {
  const http = error.extensions.http as { status?: number; headers?: Map<string, string> } | undefined;
  const body = { errors: [{ message: error.message, extensions: extensionsWithoutHttp(error) }] };
  sendJson(response, http?.status ?? 500, body, Object.fromEntries(http?.headers ?? []));
}

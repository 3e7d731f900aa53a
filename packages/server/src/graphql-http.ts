import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import { httpStatusOf, type RequestErrorCode } from './error-codes';
import { extensionsWithoutHttp, httpHeadOf } from './errors';
import { InFlight } from './in-flight';

/** A GraphQL request over HTTP as the adapter read it: header names in lower case, a JSON body parsed. */
export interface HttpGraphQLRequest {
  method: string;
  headers: ReadonlyMap<string, string>;
  /** The query string, with its `?` (empty when there is none). */
  search: string;
  body: unknown;
}

/** What the adapter writes back: Apollo Server's `HTTPGraphQLResponse` has this shape, so either can answer. */
export interface HttpGraphQLResponse {
  status?: number;
  headers: Iterable<[string, string]>;
  body: { kind: 'complete'; string: string } | { kind: 'chunked'; asyncIterator: AsyncIterableIterator<string> };
}

/** Answers one request, given the context being made for it (which may reject: a refusal the executor turns into a response). */
export type HttpGraphQLExecutor<TContext> = (request: HttpGraphQLRequest, context: Promise<TContext>) => Promise<HttpGraphQLResponse>;

export interface GraphQLHttpOptions<TContext> {
  maxBodyBytes: number;
  /**
   * Answers a request before its context is made, when it needs no operation (a landing page) or
   * must not get one (a CSRF refusal); undefined lets it through. Default: every request goes on.
   */
  screen?: (request: HttpGraphQLRequest) => HttpGraphQLResponse | undefined | Promise<HttpGraphQLResponse | undefined>;
  /**
   * Names the response this request would get, when that response may be given to identical
   * requests in flight at the same moment (which then share one execution); undefined means the
   * request runs on its own. Whatever can change the response must be part of the key.
   */
  shareKey?: (request: HttpGraphQLRequest, context: TContext) => string | undefined;
  /** Called for each request answered with another's response, with both contexts. */
  onShared?: (leader: TContext, follower: TContext) => void;
  /**
   * Lets the caller answer a request itself (a stream of incremental payloads): true when it has
   * answered. It gets the context as it is being made, so it can pass over requests by their
   * headers without waiting for it. Default: never.
   */
  respond?: (context: Promise<TContext>, request: IncomingMessage, response: ServerResponse) => Promise<boolean>;
}

interface Execution<TContext> {
  response: HttpGraphQLResponse;
  context: Promise<TContext>;
}

/** The executor that hands each request to an Apollo Server (the subgraphs'), with the context already being made. */
export function apolloHttpExecutor<TContext extends BaseContext>(apollo: ApolloServer<TContext>): HttpGraphQLExecutor<TContext> {
  return (request, context) =>
    apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { ...request, headers: new HeaderMap([...request.headers]) }, context: () => context });
}

/**
 * Serves GraphQL on plain node:http: reads the request, shares identical in-flight ones, writes
 * the response. We own this adapter (rather than pulling in a web framework) because it is small
 * and sits on the hot path; what answers (the router's own executor, a subgraph's Apollo Server)
 * is the caller's.
 */
export function graphqlHttpHandler<TContext>(
  execute: HttpGraphQLExecutor<TContext>,
  /**
   * Makes the request's context (for the router, the operation pipeline): it may refuse the
   * request (reject with a GraphQLError), which the executor answers.
   */
  context: (request: IncomingMessage, httpRequest: HttpGraphQLRequest) => Promise<TContext>,
  options: GraphQLHttpOptions<TContext>,
) {
  const inFlight = new InFlight<Execution<TContext>>();
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const headers = new Map<string, string>();
    for (const name in request.headers) {
      const value = request.headers[name];
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = request.url ?? '/';
    const query = url.indexOf('?');

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

    const httpGraphQLRequest: HttpGraphQLRequest = { method: request.method ?? 'GET', headers, search: query < 0 ? '' : url.slice(query), body };
    let screened = options.screen?.(httpGraphQLRequest);
    // Only a page is rendered asynchronously: the common case stays off the microtask queue.
    if (screened instanceof Promise) screened = await screened;
    if (screened) return write(response, screened);
    const contextValue = context(request, httpGraphQLRequest);
    // A refusal is the executor's to answer; until then nobody else awaits the promise.
    contextValue.catch(() => undefined);
    const run = async (): Promise<Execution<TContext>> => ({ response: await execute(httpGraphQLRequest, contextValue), context: contextValue });
    if (options.respond && (await options.respond(contextValue, request, response))) return;
    // A failing context (bad credentials, rate limit) is answered on its own: never shared.
    const key =
      options.shareKey &&
      (await contextValue.then(
        (value) => options.shareKey!(httpGraphQLRequest, value),
        () => undefined,
      ));
    let result: HttpGraphQLResponse;
    if (key === undefined) {
      result = (await run()).response;
    } else {
      const shared = inFlight.run(key, run);
      const execution = await shared.result;
      // A streamed (incremental) body can be read once only: such a request runs on its own.
      result = shared.shared && execution.response.body.kind !== 'complete' ? (await run()).response : execution.response;
      if (shared.shared && result === execution.response) options.onShared?.(await execution.context, await contextValue);
    }
    await write(response, result);
  };
  // How many requests are waiting for an identical one's response right now.
  return Object.defineProperty(handle, 'sharing', { get: () => inFlight.waiting }) as typeof handle & { readonly sharing: number };
}

async function write(response: ServerResponse, result: HttpGraphQLResponse): Promise<void> {
  for (const [name, value] of result.headers) response.setHeader(name, value);
  response.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    response.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) response.write(chunk);
  response.end();
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
  const http = httpHeadOf(error.extensions);
  const body = { errors: [{ message: error.message, extensions: extensionsWithoutHttp(error) }] };
  sendJson(response, http?.status ?? 500, body, Object.fromEntries(http?.headers ?? []));
}

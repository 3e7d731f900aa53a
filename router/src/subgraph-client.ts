import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { parseCacheControlHeader } from '@apollo/gateway/dist/datasources/parseCacheControlHeader';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import { IdentitySigner } from '@supergraph/identity';
import { codeOfHttpStatus, injectTraceHeaders } from '@supergraph/server';
import type { RouterContext } from './context';
import { dedupingFetcher } from './fetch-dedupe';
import { pooledFetcher } from './http-fetcher';
import { CircuitBreaker, isMutation, resilientFetch, type BreakerState, type FailureReason, type SubgraphPolicy } from './resilience';

/** What the router wants to know about each subgraph fetch (metrics, logs). */
export interface SubgraphObserver {
  fetched(subgraph: string, seconds: number, outcome: 'ok' | 'error'): void;
  breakerChanged(subgraph: string, state: BreakerState): void;
  retried(subgraph: string, attempt: number, reason: FailureReason): void;
}

/** Open connections to one subgraph, at most; more requests queue for a free one. */
const MAX_CONNECTIONS_PER_SUBGRAPH = 256;

const NO_POLICY: SubgraphPolicy = {
  timeoutMs: 0,
  timeoutOverrides: {},
  nonRetryableTimeoutMs: 0,
  retries: 0,
  retryBaseMs: 0,
  retryMaxMs: 0,
  breakerFailureThreshold: 0,
  breakerResetMs: 0,
  dedupe: false,
};

/**
 * The deadline of a fetch that has one of its own (milliseconds), sent to the subgraph: the gateway's
 * data source builds the request and calls our fetcher itself, so the header is how the deadline
 * reaches the fetcher, and it tells the subgraph how long the router waits for this answer.
 */
export const DEADLINE_HEADER = 'x-supergraph-deadline-ms';

/**
 * How the router talks to a subgraph: the gateway's HTTP data source over Node's fetch, plus the
 * identity the router vouches for (signed), the request id (so subgraph logs line up with ours),
 * a timeout per attempt, retries of queries (never mutations, nor fetches that select a field the
 * supergraph marks @nonRetryable, which get their own deadline) and a circuit breaker.
 */
export class SubgraphClient extends RemoteGraphQLDataSource<RouterContext> {
  readonly breaker: CircuitBreaker;
  private readonly signer: IdentitySigner;

  constructor(
    readonly name: string,
    url: string,
    signingSecret: string,
    private readonly policy: SubgraphPolicy = NO_POLICY,
    private readonly observer?: SubgraphObserver,
    /** Whether a subgraph operation selects a @nonRetryable field (the current supergraph's NonRetryableFields). Default: none does. */
    private readonly selectsNonRetryable: (query: string) => boolean = () => false,
  ) {
    super({ url });
    this.signer = new IdentitySigner(signingSecret);
    // Keep-alive connections per subgraph; the timeout covers each attempt, body included.
    const pooled = pooledFetcher({ maxSocketsPerOrigin: MAX_CONNECTIONS_PER_SUBGRAPH });
    const fetchOnce: Fetcher = (input, init) => {
      const own = (init?.headers as Record<string, string> | undefined)?.[DEADLINE_HEADER];
      const timeoutMs = own === undefined ? policy.timeoutMs : Number(own);
      return pooled(input, timeoutMs > 0 ? { ...init, signal: AbortSignal.timeout(timeoutMs) } : init);
    };
    this.fetcher = policy.dedupe ? dedupingFetcher(fetchOnce) : fetchOnce;
    this.breaker = new CircuitBreaker(policy.breakerFailureThreshold, policy.breakerResetMs, (state) => observer?.breakerChanged(name, state));
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): void {
    // Health checks and other gateway-internal requests carry no RouterContext.
    if (!('identity' in context) || !context.identity || !request.http) return;
    const headers = request.http.headers;
    this.routerHeaders(context as RouterContext, request.query ?? '', (name, value) => headers.set(name, value));
  }

  /** What the router adds to every fetch: the signed identity, the request id, a deadline of its own, the trace. */
  private routerHeaders(context: RouterContext, query: string, set: (name: string, value: string) => void): void {
    // Signed for each fetch, not once per request: a subscription's context lives on, and its later
    // events' entity fetches would carry a signature past its minute. The signer renews at half-life.
    for (const [name, value] of Object.entries(this.signer.sign(context.identity))) set(name.toLowerCase(), value);
    set('x-request-id', context.requestId);
    if (this.selectsNonRetryable(query)) set(DEADLINE_HEADER, String(this.policy.nonRetryableTimeoutMs));
    // traceparent of the fetch span (a no-op unless tracing is on).
    injectTraceHeaders(set);
  }

  /**
   * A subgraph that refuses our request with a 4xx (a variable its own scalar rejects, a body over
   * its limit) says the operation was wrong, not that anything broke: the caller gets the subgraph's
   * own error (message and code) when the body is a GraphQL response, else the code the table gives
   * that status (BAD_REQUEST for any other 4xx), never INTERNAL_SERVER_ERROR. 5xx are the
   * subgraph's failures, for the breaker (resilience.ts). The gateway's `response` stays for the log.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const error = await super.errorFromResponse(response);
    if (response.status < 400 || response.status >= 500 || error.extensions.code) return error;
    const refusal = firstGraphQLError((error.extensions.response as { body?: unknown } | undefined)?.body);
    return new GraphQLError(refusal?.message ?? error.message, {
      extensions: { ...error.extensions, ...refusal?.extensions, code: refusal?.extensions?.code ?? codeOfHttpStatus(response.status) ?? 'BAD_REQUEST' },
    });
  }

  /**
   * One attempt of an operation's fetch, as the gateway's data source made it (the same body,
   * headers, errors and cache hint), without its WHATWG objects: it built a node-fetch Headers and
   * a Request (with a body stream) per fetch that nothing here reads, a cost the size of the fetch.
   */
  private async fetchOperation(options: GraphQLDataSourceProcessOptions<RouterContext>): Promise<GatewayGraphQLResponse> {
    const { request, context } = options;
    const query = request.query;
    if (!query) throw new Error('Missing query');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if ('identity' in context && context.identity) this.routerHeaders(context as RouterContext, query, (name, value) => (headers[name] = value));
    const { http: _http, ...body } = request;
    const response = await this.fetcher(this.url, { method: 'POST', headers, body: JSON.stringify({ query, ...body }) });
    if (!response.ok) throw await this.errorFromResponse(response);
    const parsed: unknown = await this.parseBody(response);
    if (typeof parsed !== 'object' || parsed === null) throw new Error(`Expected JSON response body, but received: ${String(parsed)}`);
    // The response's cache policy follows each subgraph's Cache-Control (no header: not cacheable).
    if (options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION) options.incomingRequestContext.overallCachePolicy?.restrict(cacheHint(response));
    return { ...(parsed as GatewayGraphQLResponse), http: response } as GatewayGraphQLResponse;
  }

  override async process(options: GraphQLDataSourceProcessOptions<RouterContext>): Promise<GatewayGraphQLResponse> {
    if (options.kind !== GraphQLDataSourceRequestKind.INCOMING_OPERATION) return super.process(options);
    const started = performance.now();
    let outcome: 'ok' | 'error' = 'error';
    // Long, costly work (a generation) runs once, up to its own deadline (willSendRequest): a retry would run it again.
    const nonRetryable = this.selectsNonRetryable(options.request.query ?? '');
    try {
      const response = await resilientFetch({
        subgraph: this.name,
        breaker: this.breaker,
        policy: this.policy,
        retryable: !nonRetryable && !isMutation(options.request.query),
        attempt: () => this.fetchOperation(options),
        onRetry: (attempt, reason) => this.observer?.retried(this.name, attempt, reason),
      });
      if (!response.errors?.length) outcome = 'ok';
      return response;
    } finally {
      this.observer?.fetched(this.name, (performance.now() - started) / 1000, outcome);
    }
  }
}

/** A subgraph response's cache hint, read from its Cache-Control as the gateway's data source reads it. */
function cacheHint(response: FetcherResponse): { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } {
  const parsed = parseCacheControlHeader(response.headers.get('cache-control'));
  const maxAge = parsed['max-age'];
  const scope = parsed.public === true ? 'PUBLIC' : parsed.private === true ? 'PRIVATE' : undefined;
  return { maxAge: typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge) ? Number(maxAge) : 0, ...(scope ? { scope } : {}) };
}

/** The first error of a GraphQL response body (parsed JSON), when it is one. */
function firstGraphQLError(body: unknown): { message: string; extensions?: Record<string, unknown> } | undefined {
  const first = (body as { errors?: unknown } | null | undefined)?.errors;
  const error: unknown = Array.isArray(first) ? first[0] : undefined;
  if (typeof error !== 'object' || error === null || typeof (error as { message?: unknown }).message !== 'string') return undefined;
  const { message, extensions } = error as { message: string; extensions?: unknown };
  return { message, ...(typeof extensions === 'object' && extensions !== null ? { extensions: extensions as Record<string, unknown> } : {}) };
}

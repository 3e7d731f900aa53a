import { GraphQLError } from 'graphql';
import type { ProtectionConfig } from '@supergraph/config';
import { clientError } from '@supergraph/server';

export type BreakerState = 'closed' | 'open' | 'half-open';
export type SubgraphPolicy = ProtectionConfig['subgraphs'];

/**
 * A circuit breaker for one subgraph. Closed: requests flow and consecutive failures are counted;
 * at `failureThreshold` it opens. Open: requests fail at once, without touching the network, until
 * `resetMs` has passed; then it is half-open and lets one trial request through: success closes
 * it, failure opens it for another `resetMs`.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;

  constructor(
    private readonly failureThreshold: number,
    private readonly resetMs: number,
    private readonly onChange: (state: BreakerState) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    return this.current;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Whether a request may go out now; a half-open breaker admits one trial at a time. */
  allow(): boolean {
    if (this.failureThreshold === 0) return true;
    if (this.current === 'open') {
      if (this.now() - this.openedAt < this.resetMs) return false;
      this.transition('half-open');
    }
    if (this.current === 'half-open') {
      if (this.trialInFlight) return false;
      this.trialInFlight = true;
    }
    return true;
  }

  success(): void {
    this.failures = 0;
    this.trialInFlight = false;
    if (this.current !== 'closed') this.transition('closed');
  }

  failure(): void {
    this.failures++;
    this.trialInFlight = false;
    if (this.failureThreshold === 0) return;
    if (this.current === 'half-open' || (this.current === 'closed' && this.failures >= this.failureThreshold)) {
      this.openedAt = this.now();
      this.transition('open');
    }
  }

  private transition(state: BreakerState): void {
    this.current = state;
    this.onChange(state);
  }
}

/** Why a fetch failed in a way that says the subgraph (not the operation) is at fault. */
export type FailureReason = 'circuit open' | 'timeout' | 'unreachable' | `HTTP ${number}`;

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

export function failureReason(error: unknown): FailureReason | undefined {
  // Duck-typed rather than instanceof: fetch's errors may come from another realm (undici, test sandboxes).
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, extensions } = error as { name?: string; extensions?: { response?: { status?: number } } };
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  const status = extensions?.response?.status;
  if (typeof status === 'number') return status >= 500 ? `HTTP ${status}` : undefined;
  // undici's "fetch failed" (connection refused or reset, DNS), node-fetch's FetchError.
  if (name === 'TypeError' || name === 'FetchError') return 'unreachable';
  // Node's HTTP client (the router's pooled fetcher): the socket could not be opened or was lost.
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_ERRORS.has(code)) return 'unreachable';
  return undefined;
}

/** Failures worth another attempt: the request most likely never ran, or the subgraph said "try again". */
function retryable(reason: FailureReason): boolean {
  return reason === 'unreachable' || reason === 'timeout' || reason === 'HTTP 502' || reason === 'HTTP 503' || reason === 'HTTP 504';
}

export const subgraphUnavailable = (subgraph: string, reason: FailureReason): GraphQLError =>
  clientError('SUBGRAPH_UNAVAILABLE', `Subgraph "${subgraph}" is unavailable (${reason}); the fields it serves are null`, { serviceName: subgraph, reason });

/** Full jitter: a random delay up to the exponential bound, so retrying routers do not stampede. */
export function backoffMs(attempt: number, policy: Pick<SubgraphPolicy, 'retryBaseMs' | 'retryMaxMs'>, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** attempt));
}

/**
 * Runs one subgraph fetch under the breaker, retrying a `retryable` fetch (a query, unless it
 * selects a @nonRetryable field; never a mutation) with exponential backoff and jitter.
 * Subgraph-side failures come out as SUBGRAPH_UNAVAILABLE; anything else (a 4xx, a bug) is
 * rethrown untouched.
 */
export async function resilientFetch<T>(options: {
  subgraph: string;
  breaker: CircuitBreaker;
  policy: SubgraphPolicy;
  retryable: boolean;
  attempt: () => Promise<T>;
  onRetry?: (attempt: number, reason: FailureReason) => void;
}): Promise<T> {
  const { breaker, policy } = options;
  const attempts = options.retryable ? 1 + policy.retries : 1;
  let reason: FailureReason = 'unreachable';
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) {
      options.onRetry?.(attempt, reason);
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt - 1, policy)));
    }
    if (!breaker.allow()) throw subgraphUnavailable(options.subgraph, 'circuit open');
    try {
      const result = await options.attempt();
      breaker.success();
      return result;
    } catch (error) {
      const failure = failureReason(error);
      if (!failure) {
        // The subgraph answered; the request itself was wrong. Not the subgraph's health.
        breaker.success();
        throw error;
      }
      breaker.failure();
      reason = failure;
      if (!retryable(failure)) break;
    }
  }
  throw subgraphUnavailable(options.subgraph, reason);
}

const MUTATION = /^\s*mutation\b/;

/** The gateway prints each subgraph operation with its keyword first; only mutations have side effects. */
export function isMutation(query: string | undefined): boolean {
  return MUTATION.test(query ?? '');
}

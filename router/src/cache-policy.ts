import type { ExecutionPlugin } from './pipeline/10-execute';

export type CacheScope = 'PUBLIC' | 'PRIVATE';

export interface CacheHint {
  maxAge?: number;
  scope?: CacheScope;
}

/**
 * How long, and for whom, one response may be cached: each subgraph fetch restricts it by its
 * `Cache-Control` (the gateway's data source calls `restrict`), a cache hit replaces it by the
 * stored one. The semantics of Apollo Server's overall cache policy, which the data sources and
 * the response cache were written against: the lowest max-age wins, PRIVATE is never widened.
 */
export class CachePolicy {
  maxAge?: number;
  scope?: CacheScope;

  restrict(hint: CacheHint): void {
    if (hint.maxAge !== undefined && (this.maxAge === undefined || hint.maxAge < this.maxAge)) this.maxAge = hint.maxAge;
    if (hint.scope !== undefined && this.scope !== 'PRIVATE') this.scope = hint.scope;
  }

  replace(hint: CacheHint): void {
    if (hint.maxAge !== undefined) this.maxAge = hint.maxAge;
    if (hint.scope !== undefined) this.scope = hint.scope;
  }

  /** The policy when the response may be cached at all (a max-age above 0); PUBLIC unless a fetch said PRIVATE. */
  policyIfCacheable(): Required<CacheHint> | null {
    if (this.maxAge === undefined || this.maxAge === 0) return null;
    return { maxAge: this.maxAge, scope: this.scope ?? 'PUBLIC' };
  }

  /** The response's `Cache-Control` header: `max-age=N, public|private` when cacheable and without errors, else `no-store`. */
  header(hasErrors: boolean): string {
    const policy = hasErrors ? null : this.policyIfCacheable();
    return policy ? `max-age=${policy.maxAge}, ${policy.scope.toLowerCase()}` : 'no-store';
  }
}

/**
 * Stage 10's plugin for HTTP caches between the router and its callers: every response says in
 * `Cache-Control` how long it may be kept (its policy, when cacheable and without errors) or that
 * it may not (`no-store`). A Cache-Control an error set (`extensions.http`) is kept.
 */
export function cacheControlHeader(): ExecutionPlugin {
  return {
    finished(call, result) {
      if (!call.headers.has('cache-control')) call.headers.set('cache-control', call.cachePolicy.header(result.errors !== undefined));
    },
  };
}

import { createHash } from 'node:crypto';
import { InMemoryLRUCache, PrefixingKeyValueCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Redis } from 'ioredis';
import type { ProtectionConfig } from '@supergraph/config';
import type { RouterMetrics } from './metrics';
import type { ExecutionCall, ExecutionPlugin } from './pipeline/10-execute';
import { RedisKeyValueCache } from './persisted-queries';

export type ResponseCacheSettings = ProtectionConfig['responseCache'];

/**
 * Whole-response cache for public, cacheable queries, in Redis (shared by every instance) or in
 * the router's memory. What is cacheable, and for how long, comes from the subgraphs: each fetch's
 * Cache-Control header (`public, max-age=60`) restricts the response's policy, and any fetch
 * without one makes it uncacheable.
 *
 * Per-user data is never shared: responses a subgraph marks `private` are not cached at all (no
 * session id), and operations that touch @authenticated/@requiresScopes fields neither read nor
 * write the cache, whatever their hints say.
 */
export function responseCache(settings: ResponseCacheSettings, redis: Redis | undefined, metrics: RouterMetrics): ExecutionPlugin[] {
  if (!settings.enabled) return [];
  // Keys as @apollo/server-plugin-response-cache wrote them (`fqc:` + sha256 of the request), so entries outlive this change.
  const cache = new PrefixingKeyValueCache<string>(
    redis ? new SizeLimitedCache(new RedisKeyValueCache(redis, 'supergraph:response:'), settings.maxEntryBytes) : new InMemoryLRUCache<string>(),
    'fqc:',
  );
  const activity = new CacheActivity(redis);
  // What each call found in the cache: looked up (hit or miss), and the key it was looked up under.
  const lookups = new WeakMap<ExecutionCall, { key: string; hit: boolean }>();
  return [
    {
      async answer(call) {
        if (!cacheable(call) || !(await activity.isActive())) return undefined;
        const key = cacheKey(call);
        const stored = await cache.get(key);
        lookups.set(call, { key, hit: stored !== undefined });
        if (stored === undefined) return undefined;
        const entry = JSON.parse(stored) as CacheEntry;
        call.cachePolicy.replace(entry.cachePolicy);
        call.headers.set('age', String(Math.round((Date.now() - entry.cacheTime) / 1000)));
        return entry.data;
      },
      finished(call, result) {
        const lookup = lookups.get(call);
        if (lookup) metrics.cacheLookups.inc({ result: lookup.hit ? 'hit' : 'miss' });
        const policy = call.cachePolicy.policyIfCacheable();
        if (policy && !call.errors?.length) activity.markActive(policy.maxAge);
        // Per-user (PRIVATE) responses are never stored: there is no session to key them by.
        if (lookup?.hit || !cacheable(call) || result.errors || !result.data || !policy || policy.scope === 'PRIVATE') return;
        const entry: CacheEntry = { data: result.data, cachePolicy: policy, cacheTime: Date.now() };
        void cache.set(lookup?.key ?? cacheKey(call), JSON.stringify(entry), { ttl: policy.maxAge }).catch(() => undefined);
      },
    },
  ];
}

/**
 * Public queries answered whole only: operations that touch @authenticated/@requiresScopes fields
 * neither read nor write the cache, and one delivered part by part (`@defer`) was never one response to store.
 */
function cacheable(call: ExecutionCall): boolean {
  return call.operation.operationType === 'query' && !call.incremental && !call.operation.analysis.touchesProtected;
}

interface CacheEntry {
  data: Record<string, unknown>;
  cachePolicy: { maxAge: number; scope: 'PUBLIC' | 'PRIVATE' };
  cacheTime: number;
}

/** The text, operation name and variables as the client sent them; no session (sessionMode 0: nothing per user is stored). */
function cacheKey(call: ExecutionCall): string {
  const { operation } = call;
  const variables = operation.params.variables;
  const key = {
    source: operation.query,
    operationName: operation.operation.name?.value ?? null,
    variables: { ...(typeof variables === 'object' && variables !== null ? variables : {}) },
    extra: null,
    sessionMode: 0,
  };
  return createHash('sha256').update(JSON.stringify(key)).digest('hex');
}

/** Skips entries larger than the bound: one huge response must not evict the rest. */
class SizeLimitedCache implements KeyValueCache<string> {
  constructor(
    private readonly inner: KeyValueCache<string>,
    private readonly maxBytes: number,
  ) {}
  get(key: string) {
    return this.inner.get(key);
  }
  async set(key: string, value: string, options?: { ttl?: number | null }) {
    if (this.maxBytes > 0 && value.length > this.maxBytes) return;
    await this.inner.set(key, value, options);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
}

/**
 * Whether any subgraph has ever made a response cacheable. Until one has, queries skip the cache
 * lookup, so a deployment whose subgraphs send no cache hints pays no Redis round trip for it.
 * Instances learn it from each other through one Redis key, checked at most every 5 s.
 */
class CacheActivity {
  private static readonly KEY = 'supergraph:response:active';
  private active = false;
  private checkedAt = -Infinity;

  constructor(private readonly redis: Redis | undefined) {}

  async isActive(): Promise<boolean> {
    if (this.active || !this.redis) return this.active;
    const now = Date.now();
    if (now - this.checkedAt < 5_000) return false;
    this.checkedAt = now;
    this.active = (await this.redis.exists(CacheActivity.KEY).catch(() => 0)) === 1;
    return this.active;
  }

  markActive(maxAgeSeconds: number): void {
    if (this.redis) void this.redis.set(CacheActivity.KEY, '1', 'EX', Math.max(3_600, Math.ceil(maxAgeSeconds))).catch(() => undefined);
    this.active = true;
  }
}

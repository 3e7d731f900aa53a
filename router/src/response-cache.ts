import type { ApolloServerPlugin, GraphQLRequestContext, GraphQLRequestListener } from '@apollo/server';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Redis } from 'ioredis';
import type { ProtectionConfig } from '@supergraph/config';
import type { RouterContext } from './context';
import type { RouterMetrics } from './metrics';
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
export function responseCache(settings: ResponseCacheSettings, redis: Redis | undefined, metrics: RouterMetrics): ApolloServerPlugin<RouterContext>[] {
  if (!settings.enabled) return [];
  const looked = new WeakSet<object>();
  const cacheable = async (requestContext: GraphQLRequestContext<RouterContext>): Promise<boolean> => {
    const operation = requestContext.contextValue.operation;
    return operation?.operationType === 'query' && !operation.analysis.touchesProtected;
  };
  const cache = redis ? new SizeLimitedCache(new RedisKeyValueCache(redis, 'supergraph:response:'), settings.maxEntryBytes) : undefined;
  const activity = new CacheActivity(redis);
  // Counts lookups and notices cacheable responses; one listener for every request.
  const counting: GraphQLRequestListener<RouterContext> = {
    async willSendResponse({ request, metrics: requestMetrics, overallCachePolicy, errors }) {
      if (looked.has(request)) metrics.cacheLookups.inc({ result: requestMetrics.responseCacheHit ? 'hit' : 'miss' });
      const policy = overallCachePolicy.policyIfCacheable();
      if (policy && !errors?.length) activity.markActive(policy.maxAge);
    },
  };
  return [
    responseCachePlugin<RouterContext>({
      ...(cache ? { cache } : {}),
      sessionId: async () => null,
      shouldReadFromCache: async (requestContext) => {
        const read = (await cacheable(requestContext)) && (await activity.isActive());
        if (read) looked.add(requestContext.request);
        return read;
      },
      shouldWriteToCache: cacheable,
    }),
    { requestDidStart: async () => counting },
  ];
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

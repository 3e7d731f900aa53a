import { Redis } from 'ioredis';

/**
 * Cache of RPC reads. Redis when REDIS_URL is set (shared by every instance), else an in-process
 * map. Values are JSON strings; keys are namespaced by chain id so two chains never mix.
 */
export interface RpcCache {
  getMany(keys: string[]): Promise<(string | null)[]>;
  setMany(entries: { key: string; value: string; ttlSeconds: number }[]): Promise<void>;
  /** Drops entries the chain has just changed (the follower calls it for each transfer's two wallets). */
  invalidate(keys: string[]): Promise<void>;
  close(): Promise<void>;
}

export function createRpcCache(redisUrl: string | undefined, namespace: string): RpcCache {
  return redisUrl ? new RedisRpcCache(redisUrl, namespace) : new MemoryRpcCache(namespace);
}

class RedisRpcCache implements RpcCache {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly namespace: string,
  ) {
    // A cache must never make a request wait on Redis: fail fast, and treat failures as misses.
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
    this.redis.on('error', () => undefined);
  }

  async getMany(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    try {
      return await this.redis.mget(keys.map((key) => this.namespace + key));
    } catch {
      return keys.map(() => null);
    }
  }

  async setMany(entries: { key: string; value: string; ttlSeconds: number }[]): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const entry of entries) pipeline.set(this.namespace + entry.key, entry.value, 'EX', Math.max(1, entry.ttlSeconds));
    await pipeline.exec().catch(() => undefined);
  }

  async invalidate(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.redis.del(...keys.map((key) => this.namespace + key)).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

const MEMORY_CACHE_MAX_ENTRIES = 10_000;

class MemoryRpcCache implements RpcCache {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  constructor(private readonly namespace: string) {}

  async getMany(keys: string[]): Promise<(string | null)[]> {
    const now = Date.now();
    return keys.map((key) => {
      const entry = this.entries.get(this.namespace + key);
      return entry && entry.expiresAt > now ? entry.value : null;
    });
  }

  async setMany(entries: { key: string; value: string; ttlSeconds: number }[]): Promise<void> {
    for (const entry of entries) {
      if (this.entries.size >= MEMORY_CACHE_MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(this.namespace + entry.key, { value: entry.value, expiresAt: Date.now() + entry.ttlSeconds * 1000 });
    }
  }

  async invalidate(keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(this.namespace + key);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

/** JSON that keeps bigints (as decimal strings tagged with a trailing `n`). */
export const cacheJson = {
  stringify: (value: unknown): string => JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${item}n` : item)),
  parse: <T>(text: string): T =>
    JSON.parse(text, (_key, item: unknown) => (typeof item === 'string' && /^-?\d+n$/.test(item) ? BigInt(item.slice(0, -1)) : item)) as T,
};

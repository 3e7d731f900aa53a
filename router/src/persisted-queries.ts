import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import type { ProtectionConfig } from '@supergraph/config';
import { requestRefused, type Logger } from '@supergraph/server';
import { BoundedCache, MAX_CACHED_TEXT_BYTES } from './bounded-cache';

export type PersistedQuerySettings = ProtectionConfig['persistedQueries'];

/** The key prefix Apollo Server used, kept so registrations survive the upgrade. */
const APQ_PREFIX = 'supergraph:apq:';
const SAFELIST_PREFIX = 'supergraph:safelist:';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A key-value cache over Redis; every miss or Redis failure is just a miss. */
export class RedisKeyValueCache implements KeyValueCache<string> {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.redis.get(this.prefix + key)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    try {
      if (options?.ttl) await this.redis.set(this.prefix + key, value, 'EX', Math.max(1, Math.ceil(options.ttl)));
      else await this.redis.set(this.prefix + key, value);
    } catch {
      // A lost registration only costs the client one more round trip.
    }
  }

  async delete(key: string): Promise<boolean> {
    try {
      return (await this.redis.del(this.prefix + key)) > 0;
    } catch {
      return false;
    }
  }
}

/**
 * The operations a safelisted router runs, by sha256 of their text: registered from a manifest at
 * start (and by `registerOperations`), kept in Redis so every instance agrees, with the ones seen
 * cached in memory so the hot path does not ask Redis twice.
 */
export class Safelist {
  private readonly known = new BoundedCache<string, string>({ maxEntries: 10_000, maxWeight: MAX_CACHED_TEXT_BYTES });

  constructor(private readonly redis: Redis | undefined) {}

  async register(operations: Iterable<string>): Promise<string[]> {
    const hashes: string[] = [];
    for (const query of operations) {
      const hash = sha256(query);
      hashes.push(hash);
      this.remember(hash, query);
      await this.redis?.set(SAFELIST_PREFIX + hash, query);
    }
    return hashes;
  }

  async lookup(hash: string): Promise<string | undefined> {
    const cached = this.known.get(hash);
    if (cached !== undefined || !this.redis) return cached;
    const query = (await this.redis.get(SAFELIST_PREFIX + hash).catch(() => null)) ?? undefined;
    if (query !== undefined) this.remember(hash, query);
    return query;
  }

  private remember(hash: string, query: string): void {
    this.known.set(hash, query, query.length);
  }
}

export const persistedQueryNotAllowed = (): GraphQLError =>
  requestRefused('PERSISTED_QUERY_NOT_ALLOWED', 'Only registered (safelisted) operations may run on this router');

/** Reads a manifest: Apollo's persisted query manifest format, or a JSON object of hash → query. */
export function readManifest(path: string): string[] {
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as { operations?: { body: string }[] } | Record<string, string>;
  if (Array.isArray((manifest as { operations?: unknown }).operations))
    return (manifest as { operations: { body: string }[] }).operations.map((operation) => operation.body);
  return Object.values(manifest as Record<string, string>);
}

/**
 * The configured mode's stores:
 * - `apq`: Automatic Persisted Queries, stored in Redis (shared by all instances) or in memory;
 * - `safelist`: only registered operations run, by hash or by full text;
 * - `off`: neither.
 */
export type PersistedQueryStore =
  { mode: 'off' } | { mode: 'apq'; cache: KeyValueCache<string>; ttlSeconds: number } | { mode: 'safelist'; safelist: Safelist };

export async function persistedQueryStore(settings: PersistedQuerySettings, redis: Redis | undefined, logger: Logger): Promise<PersistedQueryStore> {
  if (settings.mode === 'off') return { mode: 'off' };
  if (settings.mode === 'apq') {
    // Bounded in memory: a client cannot fill the router's heap with registrations.
    const cache = redis
      ? new RedisKeyValueCache(redis, APQ_PREFIX)
      : new InMemoryLRUCache<string>({ maxSize: 30 * 1024 * 1024, sizeCalculation: (text) => text.length });
    return { mode: 'apq', cache, ttlSeconds: settings.ttlSeconds };
  }
  const safelist = new Safelist(redis);
  if (settings.manifestPath) {
    const registered = await safelist.register(readManifest(settings.manifestPath));
    logger.info('safelist loaded', { operations: registered.length, manifest: settings.manifestPath });
  }
  return { mode: 'safelist', safelist };
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ApolloServerPlugin } from '@apollo/server';
import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Redis } from 'ioredis';
import type { ProtectionConfig } from '@supergraph/config';
import { clientError, requestRefused, type Logger } from '@supergraph/server';
import type { RouterContext } from './context';

export type PersistedQuerySettings = ProtectionConfig['persistedQueries'];

/** Apollo Server adds `apq:` to each key itself. */
const APQ_PREFIX = 'supergraph:';
const SAFELIST_PREFIX = 'supergraph:safelist:';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Apollo Server's key-value cache over Redis; every miss or Redis failure is just a miss. */
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
  private readonly known = new Map<string, string>();
  private static readonly MAX_CACHED = 10_000;

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
    if (this.known.size >= Safelist.MAX_CACHED) this.known.clear();
    this.known.set(hash, query);
  }

  /**
   * As Apollo Server's APQ cache: hashes resolve to registered operations only, and clients cannot
   * register new ones.
   */
  asApqCache(): KeyValueCache<string> {
    return {
      get: (key) => this.lookup(key.replace(/^apq:/, '')),
      set: async () => {},
      delete: async () => false,
    };
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
 * Apollo Server options and plugin for the configured mode:
 * - `apq`: Automatic Persisted Queries, stored in Redis (shared by all instances) or in memory;
 * - `safelist`: only registered operations run, by hash or by full text;
 * - `off`: neither.
 */
export async function persistedQueries(settings: PersistedQuerySettings, redis: Redis | undefined, logger: Logger) {
  const manifestPath = settings.manifestPath;
  if (settings.mode === 'off') return { options: false as const, plugins: [] as ApolloServerPlugin<RouterContext>[] };
  if (settings.mode === 'apq') {
    return {
      options: { ttl: settings.ttlSeconds, ...(redis ? { cache: new RedisKeyValueCache(redis, APQ_PREFIX) } : {}) },
      plugins: [] as ApolloServerPlugin<RouterContext>[],
    };
  }
  const safelist = new Safelist(redis);
  if (manifestPath) {
    const registered = await safelist.register(readManifest(manifestPath));
    logger.info('safelist loaded', { operations: registered.length, manifest: manifestPath });
  }
  const listener = {
    // After the (cached) parse: the hash Apollo Server computed is the operation's identity.
    async didResolveOperation({ queryHash }: { queryHash: string }) {
      if ((await safelist.lookup(queryHash)) === undefined) throw persistedQueryNotAllowed();
    },
  };
  const plugin: ApolloServerPlugin<RouterContext> = { requestDidStart: async () => listener };
  return { options: { cache: safelist.asApqCache(), ttl: null }, plugins: [plugin], safelist };
}

/** Apollo Server raises a hash mismatch without a code; give it one (it is the client's mistake, not ours). */
export function hashMismatchError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (formatted.message !== 'provided sha does not match query') return formatted;
  return clientError('PERSISTED_QUERY_HASH_MISMATCH', 'The sha256Hash of extensions.persistedQuery does not match the query').toJSON();
}

import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import type { ProtectionConfig } from '@supergraph/config';
import type { Identity } from '@supergraph/identity';
import { requestRefused, type Logger } from '@supergraph/server';

export type RateLimitSettings = ProtectionConfig['rateLimit'];

/** What the key of an anonymous caller is taken from: its address (or X-Forwarded-For behind a trusted proxy). */
export interface RateLimitedClient {
  headers: IncomingMessage['headers'];
  socket: { remoteAddress?: string };
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When refused: how long until the oldest request in the window leaves it. */
  retryAfterMs: number;
}

/** A sliding-window log: a request is admitted when fewer than `limit` were admitted in the last `windowMs`. */
export interface SlidingWindowStore {
  hit(key: string, limit: number, windowMs: number): Promise<RateLimitDecision>;
}

/**
 * One sorted set per caller in Redis, scored by admission time (Redis' own clock, so routers with
 * skewed clocks agree). The script prunes, counts and admits atomically: every router instance
 * on the same Redis shares the window.
 */
const SLIDING_WINDOW = `
local key = KEYS[1]
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, now .. ':' .. ARGV[3])
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, 0, tonumber(oldest[2]) + window - now}
`;

export class RedisSlidingWindow implements SlidingWindowStore {
  private sequence = 0;
  private readonly instance = randomBytes(6).toString('hex');

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'supergraph:ratelimit:',
  ) {
    redis.defineCommand('slidingWindowHit', { numberOfKeys: 1, lua: SLIDING_WINDOW });
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const member = `${this.instance}:${this.sequence++}`;
    const [allowed, remaining, retryAfterMs] = await (
      this.redis as unknown as {
        slidingWindowHit(key: string, window: number, limit: number, member: string): Promise<[number, number, number]>;
      }
    ).slidingWindowHit(this.prefix + key, windowMs, limit, member);
    return { allowed: allowed === 1, limit, remaining, retryAfterMs: Math.max(0, retryAfterMs) };
  }
}

/** The same window in process memory: for a single router, or while Redis is unreachable. */
export class MemorySlidingWindow implements SlidingWindowStore {
  private readonly windows = new Map<string, number[]>();
  private static readonly MAX_KEYS = 100_000;

  constructor(private readonly now: () => number = Date.now) {}

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const now = this.now();
    let times = this.windows.get(key);
    if (!times) {
      if (this.windows.size >= MemorySlidingWindow.MAX_KEYS) this.prune(now, windowMs);
      this.windows.set(key, (times = []));
    }
    let expired = 0;
    while (expired < times.length && times[expired]! <= now - windowMs) expired++;
    if (expired > 0) times.splice(0, expired);
    if (times.length < limit) {
      times.push(now);
      return { allowed: true, limit, remaining: limit - times.length, retryAfterMs: 0 };
    }
    return { allowed: false, limit, remaining: 0, retryAfterMs: times[0]! + windowMs - now };
  }

  private prune(now: number, windowMs: number): void {
    for (const [key, times] of this.windows) if (times.length === 0 || times[times.length - 1]! <= now - windowMs) this.windows.delete(key);
  }
}

export function rateLimited(decision: RateLimitDecision): GraphQLError {
  const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  const headers = new Map([['retry-after', String(retryAfter)]]);
  return requestRefused(
    'RATE_LIMITED',
    `Rate limit of ${decision.limit} requests per window exceeded; retry after ${retryAfter} s`,
    { retryAfter, limit: decision.limit },
    headers,
  );
}

/**
 * Who a request counts against: the API key, else the signed-in user, else the caller's address
 * (X-Forwarded-For only when the router sits behind a proxy that sets it).
 */
export function rateLimitKey(identity: Identity, request: RateLimitedClient, trustProxy: boolean): string {
  if (identity.kind === 'user') {
    if (identity.via === 'apiKey') {
      const header = request.headers['x-api-key'] ?? request.headers.authorization ?? '';
      const secret = (Array.isArray(header) ? header[0]! : header).replace(/^Bearer\s+/i, '');
      return `key:${createHash('sha256').update(secret).digest('hex').slice(0, 32)}`;
    }
    return `user:${identity.userId}`;
  }
  if (identity.kind === 'service') return 'service';
  const forwarded = trustProxy ? request.headers['x-forwarded-for'] : undefined;
  const address = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim() || request.socket.remoteAddress || 'unknown';
  return `ip:${address}`;
}

/**
 * Admits or refuses each request before it is parsed. Redis when configured (shared by every
 * router instance); in memory otherwise, and as the fallback while Redis is unreachable.
 */
export class RateLimiter {
  private readonly memory = new MemorySlidingWindow();
  private warnedAt = 0;

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly shared: SlidingWindowStore | undefined,
    private readonly logger: Logger,
  ) {}

  get enabled(): boolean {
    return this.settings.perMinute > 0 || Object.values(this.settings.tiers).some((limit) => limit > 0);
  }

  limitFor(identity: Identity): number {
    const tier = identity.kind === 'user' ? identity.tier : identity.kind === 'anonymous' ? 'ANONYMOUS' : 'SERVICE';
    return this.settings.tiers[tier] ?? this.settings.perMinute;
  }

  /** Throws RATE_LIMITED (HTTP 429 with Retry-After) when the caller is over its limit. */
  async check(identity: Identity, request: RateLimitedClient): Promise<RateLimitDecision | undefined> {
    const limit = this.limitFor(identity);
    if (limit <= 0) return undefined;
    const key = rateLimitKey(identity, request, this.settings.trustProxy);
    let decision: RateLimitDecision;
    try {
      decision = await (this.shared ?? this.memory).hit(key, limit, this.settings.windowMs);
    } catch (error) {
      if (Date.now() - this.warnedAt > 60_000) {
        this.warnedAt = Date.now();
        this.logger.warn('rate limiting falls back to this instance while Redis is unreachable', { error: String(error) });
      }
      decision = await this.memory.hit(key, limit, this.settings.windowMs);
    }
    if (!decision.allowed) throw rateLimited(decision);
    return decision;
  }
}

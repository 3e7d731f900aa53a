import { Redis } from 'ioredis';
import type { Logger } from '@supergraph/server';

/**
 * The router's one Redis connection (rate limits, persisted queries, response cache). Commands
 * fail fast while it is down (no offline queue) so each feature can fall back instead of waiting.
 */
export async function connectRedis(url: string, logger: Logger, waitMs = 2_000): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: waitMs });
  redis.on('error', () => {}); // reconnects on its own; callers log their own fallbacks
  const ready = await Promise.race([
    new Promise<boolean>((resolve) => redis.once('ready', () => resolve(true))),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), waitMs).unref()),
  ]);
  if (!ready) logger.warn('Redis is not reachable yet; shared features fall back until it is', { url: url.replace(/\/\/[^@]*@/, '//***@') });
  return redis;
}

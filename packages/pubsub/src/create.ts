import type { EventBus } from './event-bus';
import { InProcessEventBus } from './in-process-bus';
import { RedisEventBus } from './redis-bus';

/**
 * Redis when a URL is configured, else the in-process bus (embedded default). `channelPrefix`
 * separates deployments (or test runs) that share one Redis.
 */
export function createEventBus(options: { redisUrl: string | undefined; eventChannelPrefix: string }): EventBus {
  return options.redisUrl ? new RedisEventBus(options.redisUrl, options.eventChannelPrefix) : new InProcessEventBus();
}

import type { EventBus } from './event-bus';
import { InProcessEventBus } from './in-process-bus';
import { RedisEventBus } from './redis-bus';

/**
 * Redis when a URL is configured, else the in-process bus (embedded default). `eventChannelPrefix`
 * separates deployments (or test runs) that share one Redis; `eventRetention` is how many events
 * each channel keeps for subscribers that resume (default 10,000), `eventRetentionSeconds` how long
 * Redis keeps the log of a channel nothing is published on (default a day).
 */
export function createEventBus(options: {
  redisUrl: string | undefined;
  eventChannelPrefix: string;
  eventRetention?: number;
  eventRetentionSeconds?: number;
}): EventBus {
  return options.redisUrl
    ? new RedisEventBus(options.redisUrl, options.eventChannelPrefix, { retention: options.eventRetention, idleSeconds: options.eventRetentionSeconds })
    : new InProcessEventBus({ retention: options.eventRetention });
}

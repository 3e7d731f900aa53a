import type { EventBus } from './event-bus';
import { InProcessEventBus } from './in-process-bus';
import { RedisEventBus } from './redis-bus';

/** Redis when a URL is configured, else the in-process bus (embedded default). */
export function createEventBus(redisUrl: string | undefined): EventBus {
  return redisUrl ? new RedisEventBus(redisUrl) : new InProcessEventBus();
}

import { Redis } from 'ioredis';
import { eventQueue, type EventBus } from './event-bus';

/**
 * Redis pub/sub: every instance of every service shares the channels. One connection publishes;
 * one (in subscriber mode, as Redis requires) listens, subscribed to a channel only while this
 * process has a subscriber for it.
 */
export class RedisEventBus implements EventBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

  constructor(
    url: string,
    private readonly prefix = 'supergraph:',
  ) {
    this.publisher = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.subscriber = new Redis(url, { lazyConnect: false });
    this.subscriber.on('message', (channel: string, message: string) => {
      const listeners = this.listeners.get(channel.slice(this.prefix.length));
      if (!listeners) return;
      const payload: unknown = JSON.parse(message);
      for (const listener of listeners) listener(payload);
    });
  }

  async publish(channel: string, payload: unknown): Promise<void> {
    await this.publisher.publish(this.prefix + channel, JSON.stringify(payload));
  }

  subscribe<T>(channel: string): AsyncIterableIterator<T> {
    let listeners = this.listeners.get(channel);
    if (!listeners) {
      this.listeners.set(channel, (listeners = new Set()));
      void this.subscriber.subscribe(this.prefix + channel);
    }
    const channelListeners = listeners;
    const listener = (payload: unknown) => queue.push(payload as T);
    const queue = eventQueue<T>(() => {
      channelListeners.delete(listener);
      if (channelListeners.size === 0) {
        this.listeners.delete(channel);
        void this.subscriber.unsubscribe(this.prefix + channel);
      }
    });
    channelListeners.add(listener);
    return queue.iterator;
  }

  /** Resolves once Redis confirms the subscriptions made so far (tests publish right after subscribing). */
  async ready(): Promise<void> {
    await this.subscriber.ping();
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }
}

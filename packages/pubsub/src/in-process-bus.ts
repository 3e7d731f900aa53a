import { eventQueue, type EventBus } from './event-bus';

/** The embedded default: one process, no Redis, the same behaviour. */
export class InProcessEventBus implements EventBus {
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

  async publish(channel: string, payload: unknown): Promise<void> {
    // A copy through JSON, so subscribers see exactly what they would see through Redis: one
    // object per event, shared by this process's subscribers (what lets them share its loads).
    const copy: unknown = JSON.parse(JSON.stringify(payload));
    for (const listener of this.listeners.get(channel) ?? []) listener(copy);
  }

  subscribe<T>(channel: string): AsyncIterableIterator<T> {
    const listeners = this.listeners.get(channel) ?? new Set();
    this.listeners.set(channel, listeners);
    const listener = (payload: unknown) => queue.push(payload as T);
    const queue = eventQueue<T>(() => {
      listeners.delete(listener);
      if (listeners.size === 0) this.listeners.delete(channel);
    });
    listeners.add(listener);
    return queue.iterator;
  }

  /** How many channels have a subscriber: lets tests prove unsubscribing cleans up. */
  get activeChannels(): number {
    return this.listeners.size;
  }

  /** How many subscriptions there are over every channel: lets tests count who subscribed. */
  get activeSubscriptions(): number {
    let count = 0;
    for (const listeners of this.listeners.values()) count += listeners.size;
    return count;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}

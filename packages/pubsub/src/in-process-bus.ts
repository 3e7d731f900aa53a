import { LoggedEventBus, type LiveListener, type LoggedEvent } from './event-log';
import { comparePositions, recordPosition } from './position';

export interface InProcessEventBusOptions {
  /** Events kept per channel for subscribers that resume (EVENT_RETENTION). Default 10,000. */
  retention?: number;
}

/**
 * The embedded default: one process, no Redis, the same behaviour — including a bounded log per
 * channel for subscribers that resume. Positions are `<start of this bus in ms>-<n>`, so a position
 * from an earlier process (whose events are gone with it) is refused, not silently skipped.
 */
export class InProcessEventBus extends LoggedEventBus {
  private readonly listeners = new Map<string, Set<LiveListener>>();
  private readonly logs = new Map<string, LoggedEvent[]>();
  private readonly lastPositions = new Map<string, string>();
  private readonly epoch = Date.now();
  private sequence = 0;
  private readonly retention: number;

  constructor(options: InProcessEventBusOptions = {}) {
    super();
    this.retention = Math.max(1, options.retention ?? 10_000);
  }

  async publish(channel: string, payload: unknown): Promise<string> {
    const position = `${this.epoch}-${++this.sequence}`;
    // A copy through JSON, so subscribers see exactly what they would see through Redis: one
    // object per event, shared by this process's subscribers (what lets them share its loads).
    const event: LoggedEvent = { position, previous: this.lastPosition(channel), payload: JSON.parse(JSON.stringify(payload)) as unknown };
    recordPosition(event.payload, position);
    this.lastPositions.set(channel, position);
    const log = this.logs.get(channel) ?? [];
    this.logs.set(channel, log);
    log.push(event);
    // Trimmed a tenth at a time (like Redis' `MAXLEN ~`): at least `retention` events stay.
    if (log.length >= this.retention + Math.max(1, Math.floor(this.retention / 10))) log.splice(0, log.length - this.retention);
    for (const listener of this.listeners.get(channel) ?? []) listener.event(event);
    return position;
  }

  async read(channel: string, after: string, count: number): Promise<{ last: string; events: LoggedEvent[] }> {
    const log = this.logs.get(channel) ?? [];
    // Binary search for the first event after `after`.
    let low = 0;
    let high = log.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (comparePositions(log[middle]!.position, after) <= 0) low = middle + 1;
      else high = middle;
    }
    return { last: this.lastPosition(channel), events: log.slice(low, low + count) };
  }

  // Never cut off from its log: its listeners are never told of a reconnect.
  listen(channel: string, listener: LiveListener): { ready: Promise<void>; stop(): void } {
    const listeners = this.listeners.get(channel) ?? new Set();
    this.listeners.set(channel, listeners);
    listeners.add(listener);
    return {
      ready: Promise.resolve(),
      stop: () => {
        listeners.delete(listener);
        if (listeners.size === 0 && this.listeners.get(channel) === listeners) this.listeners.delete(channel);
      },
    };
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

  /** Before the first event of a channel: this bus's start, so earlier processes' positions come before it. */
  private lastPosition(channel: string): string {
    return this.lastPositions.get(channel) ?? `${this.epoch}-0`;
  }
}

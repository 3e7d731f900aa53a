import { Redis } from 'ioredis';
import { LoggedEventBus, type LiveListener, type LoggedEvent } from './event-log';
import { recordPosition, START_POSITION } from './position';

export interface RedisEventBusOptions {
  /** Events kept per channel for subscribers that resume (EVENT_RETENTION), trimmed with `MAXLEN ~`, so a few more may stay. Default 10,000. */
  retention?: number;
  /** A channel's log is dropped once nothing was published on it for this long (EVENT_RETENTION_SECONDS), so logs of channels no longer used go away. Default 86,400 (a day). */
  idleSeconds?: number;
}

// One atomic step per event, so positions and live messages come in the same order for everyone:
// append to the channel's stream (trimmed to the retention), then publish the entry as a live
// message. `previous` is the entry before it; on a new (or lost) stream it is a position just
// before now, so positions from a stream that is gone are refused rather than followed with a gap,
// and the entry is marked `genesis`: a subscriber that began on the empty stream may take it.
// KEYS[1] stream; ARGV: channel, payload JSON, retention, idle expiry in ms. Returns the new position.
const PUBLISH_SCRIPT = `
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
local previous
local genesis = '0'
if newest then
  previous = newest[1]
else
  local now = redis.call('TIME')
  previous = string.format('%d-0', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - 1)
  genesis = '1'
end
local position = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'previous', previous, 'genesis', genesis, 'payload', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', ARGV[1], cjson.encode({ position = position, previous = previous, genesis = genesis == '1' }) .. '\\n' .. ARGV[2])
return position
`;

// KEYS[1] stream; ARGV: after (exclusive), count (0: none). Returns { last position or '0-0', entries }.
const READ_SCRIPT = `
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
local entries = {}
if tonumber(ARGV[2]) > 0 then entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2]) end
return { newest and newest[1] or '0-0', entries }
`;

type StreamEntry = [id: string, fields: string[]];

/**
 * Redis: every instance of every service shares the channels. Each channel has a stream (its log,
 * `<prefix>log:<channel>`) and a pub/sub channel (`<prefix><channel>`) carrying each entry live. One
 * connection publishes and reads logs; one (in subscriber mode, as Redis requires) listens,
 * subscribed to a channel only while this process has a listener on it.
 */
export class RedisEventBus extends LoggedEventBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new Map<string, Set<LiveListener>>();
  private closed = false;
  private readonly retention: number;
  private readonly idleMs: number;

  constructor(
    url: string,
    /** Prefix of every channel and log key; separates deployments sharing one Redis (EVENT_CHANNEL_PREFIX). */
    private readonly prefix = 'supergraph:',
    options: RedisEventBusOptions = {},
  ) {
    super();
    this.retention = Math.max(1, options.retention ?? 10_000);
    this.idleMs = Math.max(1, options.idleSeconds ?? 86_400) * 1000;
    this.publisher = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.subscriber = new Redis(url, { lazyConnect: false });
    // While Redis is away both connections retry on their own (the subscriber subscribing again to
    // every channel), and publishing fails to its caller (the outbox relay retries): the 'error'
    // events carry nothing more to act on, and unheard ioredis would print each one.
    for (const connection of [this.publisher, this.subscriber]) connection.on('error', () => undefined);
    // Redis keeps no live message for a subscriber that was cut off: after every reconnect but the
    // first connect, the listeners learn where each log stands, and read back what they missed.
    let connected = false;
    this.subscriber.on('ready', () => {
      if (connected) void this.reportReconnect();
      connected = true;
    });
    this.subscriber.on('message', (channel: string, message: string) => {
      const listeners = this.listeners.get(channel.slice(this.prefix.length));
      const split = message.indexOf('\n');
      if (!listeners || split < 0) return;
      const { position, previous, genesis } = JSON.parse(message.slice(0, split)) as { position: string; previous: string; genesis: boolean };
      // One object per event for all of this process's listeners (what lets them share its loads).
      const event: LoggedEvent = { position, previous, genesis, payload: JSON.parse(message.slice(split + 1)) };
      recordPosition(event.payload, position);
      for (const listener of listeners) listener.event(event);
    });
  }

  async publish(channel: string, payload: unknown): Promise<string> {
    return (await this.publisher.eval(
      PUBLISH_SCRIPT,
      1,
      this.logKey(channel),
      this.prefix + channel,
      JSON.stringify(payload),
      this.retention,
      this.idleMs,
    )) as string;
  }

  async read(channel: string, after: string, count: number): Promise<{ last: string; events: LoggedEvent[] }> {
    const [last, entries] = (await this.publisher.eval(READ_SCRIPT, 1, this.logKey(channel), after, count)) as [string, StreamEntry[]];
    return { last, events: entries.map(([position, fields]) => ({ position, ...entryFields(fields) })) };
  }

  listen(channel: string, listener: LiveListener): { ready: Promise<void>; stop(): void } {
    let listeners = this.listeners.get(channel);
    if (!listeners) {
      this.listeners.set(channel, (listeners = new Set()));
      // Cut by an outage or close(): ioredis subscribes again when it reconnects; nobody awaits the answer.
      this.subscriber.subscribe(this.prefix + channel).catch(() => undefined);
    }
    const channelListeners = listeners;
    channelListeners.add(listener);
    return {
      ready: this.ready(),
      stop: () => {
        channelListeners.delete(listener);
        if (channelListeners.size === 0 && this.listeners.get(channel) === channelListeners) {
          this.listeners.delete(channel);
          this.subscriber.unsubscribe(this.prefix + channel).catch(() => undefined);
        }
      },
    };
  }

  /** Resolves once Redis confirms the subscriptions made so far (its reply comes after theirs). */
  async ready(): Promise<void> {
    await this.subscriber.ping();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  /**
   * Once ioredis has subscribed again to every channel (its reply to the ping comes after theirs),
   * tells each channel's listeners the log's last position. Tried again while Redis answers the
   * subscriber but not yet the publisher, which reconnects on its own schedule; a new cut ends the
   * attempt, and the next reconnect reports again.
   */
  private async reportReconnect(): Promise<void> {
    while (!this.closed && this.subscriber.status === 'ready') {
      try {
        await this.subscriber.ping();
        await Promise.all(
          [...this.listeners].map(async ([channel, listeners]) => {
            const { last } = await this.read(channel, START_POSITION, 0);
            for (const listener of listeners) listener.reconnected(last);
          }),
        );
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private logKey(channel: string): string {
    return `${this.prefix}log:${channel}`;
  }
}

function entryFields(fields: string[]): { previous: string; genesis: boolean; payload: unknown } {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i]!, fields[i + 1]!);
  return { previous: values.get('previous') ?? '', genesis: values.get('genesis') === '1', payload: JSON.parse(values.get('payload') ?? 'null') };
}

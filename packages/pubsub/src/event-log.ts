import { badUserInput, clientError } from '@supergraph/server';
import { eventQueue, type EventBus } from './event-bus';
import { canonicalPosition, comparePositions, recordPosition, START_POSITION } from './position';

/** One event as a channel's log holds it. */
export interface LoggedEvent {
  position: string;
  /** The position of the event published just before it on the channel (START_POSITION for the first): how a gap shows. */
  previous: string;
  /** The first event of a log that had none (a new Redis stream): it follows START_POSITION too. */
  genesis?: boolean;
  payload: unknown;
}

/** Who hears a channel's events as they are published. */
export interface LiveListener {
  /** One event, in the order of the log. */
  event(event: LoggedEvent): void;
  /**
   * The bus's connection to the log was cut and is back: events published meanwhile were not heard
   * live, and a later one need not come to show the gap. `last` is the channel's last position now.
   */
  reconnected(last: string): void;
}

/** What a bus keeps of each channel, so that a subscriber can resume: the last events, and the live ones. */
export interface EventLog {
  /**
   * The channel's last position (START_POSITION before its first event, or when its log is gone)
   * and up to `count` retained events after `after`, oldest first (none when `count` is 0).
   */
  read(channel: string, after: string, count: number): Promise<{ last: string; events: LoggedEvent[] }>;
  /** Tells `listener` each event published on the channel from when `ready` resolves, until `stop()`. */
  listen(channel: string, listener: LiveListener): { ready: Promise<void>; stop(): void };
}

/** A bus made of a log: its subscriptions, live or resumed, come from the log's two primitives. */
export abstract class LoggedEventBus implements EventBus, EventLog {
  abstract publish(channel: string, payload: unknown): Promise<string>;
  abstract read(channel: string, after: string, count: number): Promise<{ last: string; events: LoggedEvent[] }>;
  abstract listen(channel: string, listener: LiveListener): { ready: Promise<void>; stop(): void };
  abstract close(): Promise<void>;

  subscribe<T>(channel: string): AsyncIterableIterator<T> {
    const queue = eventQueue<T>(() => listening.stop());
    // At most once, as documented: what was published while the bus was cut off is not read back.
    const listening = this.listen(channel, { event: (event) => queue.push(event.payload as T), reconnected: () => undefined });
    return queue.iterator;
  }

  resume<T>(channel: string, after?: string | null): Promise<AsyncIterableIterator<T>> {
    return resumeFromLog<T>(this, channel, after);
  }
}

/** Events read from the log per round trip while catching up. */
const PAGE_SIZE = 100;
/** Live events held for a subscriber that has not read them yet; beyond it they are read again from the log. */
const LIVE_CAPACITY = 1000;

/**
 * The events of `channel` after position `after` that the log still holds, then the live ones, each
 * exactly once and in order (without `after`: the live ones from now). Resolves once the live events
 * are flowing, so a publish after it is never missed.
 *
 * Catching up reads the log page by page as the subscriber reads; live events arriving meanwhile
 * wait in a bounded buffer, and those the log already gave are skipped at the seam. A live event
 * that does not follow the last one delivered (the buffer overflowed), or the bus reconnecting
 * after the log's last position moved on (Redis does not keep live messages for a subscriber that
 * was cut off), sends the subscriber back to the log. Each payload carries its position
 * (`eventPosition`).
 *
 * Rejects — or, once running, throws — SUBSCRIPTION_POSITION_EXPIRED when the log no longer holds
 * every event after the position (older than the retention window, or not one of this log's):
 * never a silent gap.
 */
export async function resumeFromLog<T>(log: EventLog, channel: string, after: string | null | undefined): Promise<AsyncIterableIterator<T>> {
  const from = after == null ? undefined : canonicalPosition(after);
  if (after != null && from === undefined) throw badUserInput(`"${after}" is not an event position`, 'BAD_USER_INPUT', 'after');

  // Events, and the log's last position whenever the bus reconnected, in the order they came.
  const live = eventQueue<LoggedEvent | { reconnectedAt: string }>(() => listening.stop(), LIVE_CAPACITY);
  const listening = log.listen(channel, { event: (event) => live.push(event), reconnected: (last) => live.push({ reconnectedAt: last }) });
  let last: string;
  let pending: LoggedEvent[] = [];
  let catchingUp = from !== undefined;
  try {
    await listening.ready;
    if (from === undefined) last = (await log.read(channel, START_POSITION, 0)).last;
    else pending = await readAfter(log, channel, (last = from));
  } catch (error) {
    await live.iterator.return?.();
    throw error;
  }

  const deliver = (event: LoggedEvent): IteratorResult<T> => {
    last = event.position;
    recordPosition(event.payload, event.position);
    return { value: event.payload as T, done: false };
  };
  const nextEvent = async (): Promise<IteratorResult<T>> => {
    for (;;) {
      const replayed = pending.shift();
      if (replayed) return deliver(replayed);
      if (catchingUp) {
        pending = await readAfter(log, channel, last);
        catchingUp = pending.length > 0;
        continue;
      }
      const item = await live.iterator.next();
      if (item.done) return { value: undefined, done: true };
      const event = item.value;
      if ('reconnectedAt' in event) {
        // Published while the bus was cut off: in the log, or lost with it (then refused, never skipped).
        if (event.reconnectedAt !== last) catchingUp = true;
        continue;
      }
      if (comparePositions(event.position, last) <= 0) continue; // the log gave it already
      if (!follows(event, last)) {
        catchingUp = true; // the events in between are in the log (this one too)
        continue;
      }
      return deliver(event);
    }
  };

  const iterator: AsyncIterableIterator<T> = {
    next: async () => {
      try {
        return await nextEvent();
      } catch (error) {
        await live.iterator.return?.();
        throw error;
      }
    },
    return: async () => {
      pending = [];
      await live.iterator.return?.();
      return { value: undefined, done: true };
    },
    throw: async (error?: unknown) => {
      await live.iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/** The next page after `after`, refused when the log lost events after it. */
async function readAfter(log: EventLog, channel: string, after: string): Promise<LoggedEvent[]> {
  const { last, events } = await log.read(channel, after, PAGE_SIZE);
  const first = events[0];
  // The first event kept after `after` must follow it directly; with none kept, `after` must be the last.
  const lost = first ? comparePositions(first.previous, after) > 0 && !follows(first, after) : after !== last;
  if (lost) {
    throw clientError(
      'SUBSCRIPTION_POSITION_EXPIRED',
      `Events after position ${after} are no longer kept (older than the retention window, or not a position of this deployment); subscribe without "after" and reload what you show`,
      { position: after },
    );
  }
  return events;
}

/** Whether `event` comes right after position `last` (the first event of a log comes right after its start too). */
function follows(event: LoggedEvent, last: string): boolean {
  return event.previous === last || (last === START_POSITION && event.genesis === true);
}

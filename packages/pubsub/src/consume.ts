import { setTimeout as sleep } from 'node:timers/promises';
import type { EventBus } from './event-bus';

/** What a consumer does with a channel's events (see consumeEvents). */
export interface EventConsumer<T> {
  /** Runs for each event, one at a time, in the order of the channel's log. */
  handle(event: T): Promise<unknown>;
  /** An event `handle` failed on: told here, and the next one is read. One bad event never stops a consumer. */
  onError(event: T, error: unknown): void;
  /**
   * Following is back after events may have gone by unheard that the log could not give back (no
   * longer kept, or the bus was unreachable): whatever was derived from earlier events may be stale.
   * Default: nothing (consumers whose own reconciliation catches up need not care).
   */
  onGap?(cause: unknown): void;
  /** How long to wait before following again after a gap. Default 1000 ms. */
  retryMs?: number;
}

export interface Consuming {
  /** Resolves once the channel is followed: an event published after it is handled. */
  ready: Promise<void>;
  /** Stops following; waits for the event being handled, if any. */
  stop(): Promise<void>;
}

/**
 * Hands each event published on `channel` from now on to the consumer, until `stop()`. It follows
 * the channel's log (`resume`), not only the live messages: an event published while the bus's
 * connection was cut is read back once it is there again, so a short outage loses nothing. When the
 * log cannot fill a gap, the consumer is told (`onGap`) and following starts again from then on.
 */
export function consumeEvents<T>(bus: EventBus, channel: string, consumer: EventConsumer<T>): Consuming {
  const retryMs = consumer.retryMs ?? 1000;
  const retrying = new AbortController();
  let stopped = false;
  let resuming = false;
  let events: AsyncIterableIterator<T> | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const follow = async (): Promise<void> => {
    let gap: { cause: unknown } | undefined;
    while (!stopped) {
      try {
        resuming = true;
        events = await bus.resume<T>(channel);
        resuming = false;
        if (stopped) break;
        markReady();
        if (gap) consumer.onGap?.(gap.cause);
        gap = undefined;
        for await (const event of events) {
          try {
            await consumer.handle(event);
          } catch (error) {
            consumer.onError(event, error);
          }
        }
        return; // the events end only when stopped, or when the bus is closed
      } catch (cause) {
        resuming = false;
        if (stopped) break;
        gap ??= { cause };
        await sleep(retryMs, undefined, { signal: retrying.signal }).catch(() => undefined);
      }
    }
    await events?.return?.();
  };
  const following = follow();

  return {
    ready,
    stop: async () => {
      stopped = true;
      retrying.abort();
      await events?.return?.();
      // A resume still waiting for an unreachable bus ends by itself (closing the bus rejects it).
      if (!resuming) await following;
    },
  };
}

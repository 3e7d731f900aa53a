import type { EventBus } from './event-bus';

/**
 * Runs `handle` for each event on `channel`, one at a time, until `stop()`. A failing event goes
 * to `onError` and the next one is read: one bad event never stops a consumer.
 */
export function consumeEvents<T>(
  bus: EventBus,
  channel: string,
  handle: (event: T) => Promise<unknown>,
  onError: (event: T, error: unknown) => void,
): { stop(): Promise<void> } {
  const events = bus.subscribe<T>(channel);
  const done = (async () => {
    for await (const event of events) {
      try {
        await handle(event);
      } catch (error) {
        onError(event, error);
      }
    }
  })();
  return {
    stop: async () => {
      await events.return?.();
      await done;
    },
  };
}

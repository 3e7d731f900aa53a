/**
 * Events between processes: a mutation handled by one subgraph instance reaches the subscribers
 * held by any other. Each event gets a position in its channel's log, which keeps the last events
 * (the retention window, EVENT_RETENTION): a subscriber that lost its connection resumes after the
 * last position it saw and misses nothing (`resume`). Work that must not be lost beyond that
 * window (payments, indexing) is written to an outbox in the same transaction as the change, and
 * relayed here after commit.
 */
export interface EventBus {
  /** Publishes `payload` (a JSON object) on `channel`; resolves with the event's position. */
  publish(channel: string, payload: unknown): Promise<string>;
  /**
   * Events on `channel` from now on, as an async iterator, at most once (what consumers that dedupe
   * on an outbox id use). Ending the iterator (`return()`, or `break` in for-await) unsubscribes.
   */
  subscribe<T>(channel: string): AsyncIterableIterator<T>;
  /**
   * What GraphQL subscriptions consume: the events after position `after` that the log still holds,
   * then live ones, each once and in order — or without `after`, the live ones from now. Each event
   * carries its position (`eventPosition`). Rejects with SUBSCRIPTION_POSITION_EXPIRED when events
   * after `after` are no longer kept, BAD_USER_INPUT when it is not a position (see event-log.ts).
   */
  resume<T>(channel: string, after?: string | null): Promise<AsyncIterableIterator<T>>;
  close(): Promise<void>;
}

/**
 * Turns pushed events into a pull-based async iterator with a bounded buffer: a subscriber
 * that stops reading loses the oldest events rather than growing memory without limit.
 */
export function eventQueue<T>(
  onEnd: () => void,
  capacity = 1000,
): {
  push(event: T): void;
  /** Events waiting to be read. */
  size(): number;
  /** Takes no more events; the reader still gets those waiting, then the end. */
  end(): void;
  iterator: AsyncIterableIterator<T>;
} {
  const buffered: T[] = [];
  const waiting: ((result: IteratorResult<T>) => void)[] = [];
  let done = false;
  const end = (): void => {
    if (done) return;
    done = true;
    onEnd();
    for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
  };
  const finish = (): Promise<IteratorResult<T>> => {
    end();
    buffered.length = 0;
    return Promise.resolve({ value: undefined, done: true });
  };
  const iterator: AsyncIterableIterator<T> = {
    next: () => {
      if (buffered.length > 0) return Promise.resolve({ value: buffered.shift()!, done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => waiting.push(resolve));
    },
    return: finish,
    throw: (error?: unknown) => finish().then(() => Promise.reject(error)),
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return {
    iterator,
    size: () => buffered.length,
    end,
    push(event) {
      if (done) return;
      const reader = waiting.shift();
      if (reader) reader({ value: event, done: false });
      else {
        if (buffered.length >= capacity) buffered.shift();
        buffered.push(event);
      }
    },
  };
}

/**
 * The events of `source` that satisfy `keep`. Ending the result ends the source at once — which
 * an async generator could not do while it waits for the next event, so this is a plain iterator.
 */
export function filterEvents<T>(source: AsyncIterableIterator<T>, keep: (event: T) => boolean): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done || keep(result.value)) return result;
      }
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

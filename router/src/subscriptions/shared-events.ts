import type { ExecutionResult } from 'graphql';
import { clientError } from '@supergraph/server';

/** Results a subscriber has not read yet, at most: beyond it, a client that stopped reading is ended (see `deliver`). */
const MAX_BUFFERED = 1000;

/**
 * One upstream subscription whose events are completed once and handed to every subscriber that
 * shares it: client subscriptions with the same operation, variables and identity (so the same
 * visibility) would each have fetched and completed exactly the same result. Events are completed
 * one at a time, in order. When the last subscriber leaves, the upstream subscription ends; when
 * the upstream ends, every subscriber ends after reading what it was given.
 */
export class SharedEvents {
  private readonly subscribers = new Set<SharedSubscriber>();

  constructor(
    private readonly source: AsyncIterableIterator<ExecutionResult>,
    /** One event's result for every subscriber (each still checks, on reading it, that it may have it). */
    private readonly complete: (event: ExecutionResult) => Promise<ExecutionResult>,
    /** Called once, when the group ends (no subscriber left, or the source ended): forget it. */
    private readonly onEnd: () => void,
  ) {
    void this.pump();
  }

  join(): SharedSubscriber {
    const subscriber = new SharedSubscriber(() => this.leave(subscriber));
    this.subscribers.add(subscriber);
    return subscriber;
  }

  private leave(subscriber: SharedSubscriber): void {
    if (!this.subscribers.delete(subscriber) || this.subscribers.size > 0) return;
    this.onEnd();
    void this.source.return?.();
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const event = await this.source.next();
        if (event.done || this.subscribers.size === 0) break;
        const result = await this.complete(event.value);
        for (const subscriber of this.subscribers) subscriber.deliver(result);
      }
    } finally {
      this.onEnd();
      for (const subscriber of [...this.subscribers]) subscriber.finish();
    }
  }
}

/** One client's place in a shared group: the results it has not read yet. */
export class SharedSubscriber {
  private readonly buffered: ExecutionResult[] = [];
  private waiting?: (result: IteratorResult<ExecutionResult>) => void;
  private finished = false;

  constructor(private readonly onLeave: () => void) {}

  deliver(result: ExecutionResult): void {
    if (this.finished) return;
    if (this.waiting) {
      const reader = this.waiting;
      this.waiting = undefined;
      reader({ value: result, done: false });
      return;
    }
    if (this.buffered.length < MAX_BUFFERED) {
      this.buffered.push(result);
      return;
    }
    // Skipping results would be a gap the client cannot see: it is told, after what it has, and resumes from there.
    this.buffered.push({
      errors: [
        clientError(
          'SUBSCRIPTION_TOO_SLOW',
          `Events came faster than this subscription read them (over ${MAX_BUFFERED} waiting); subscribe again with "after" set to the last position you received`,
          { limit: MAX_BUFFERED },
        ),
      ],
    });
    this.finish();
  }

  /** No more results after those buffered. */
  finish(): void {
    this.finished = true;
    this.onLeave();
    if (this.waiting && this.buffered.length === 0) {
      const reader = this.waiting;
      this.waiting = undefined;
      reader({ value: undefined, done: true });
    }
  }

  /** Ends this subscriber alone, with one last result (the group goes on for the others). */
  end(last: ExecutionResult): void {
    this.deliver(last);
    this.finish();
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.buffered.length > 0) return Promise.resolve({ value: this.buffered.shift()!, done: false });
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }
}

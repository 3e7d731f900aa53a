import type { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from '@supergraph/server';

/**
 * One account of Redis outages for the BullMQ queue: every connection, queue and worker reports
 * each failed reconnect attempt (several a second, each with a stack trace when nobody listens),
 * so without this an outage of a minute floods the log. Here an outage is logged once when it
 * begins and once when it ends, as messages without stacks, and `onReconnect` listeners run when
 * Redis is back.
 *
 * An outage begins when the connection is lost, not at the first failed attempt to reconnect: a
 * Redis that is back before ioredis tries again (a restart shorter than its retry delay) shows no
 * error at all, yet commands sent meanwhile failed, and what they would have queued must be.
 */
export class RedisOutages {
  private down = false;
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly logger: Logger,
    connection: Redis,
  ) {
    connection.on('error', (error: Error) => this.failed(error.message));
    // ioredis says `reconnecting` only for a connection it lost, never for one closed on purpose.
    connection.on('reconnecting', () => this.failed('connection lost'));
    connection.on('ready', () => this.connected());
  }

  /** Takes the errors of a BullMQ queue or worker (which would print them with stacks if nobody listened). */
  watch(emitter: EventEmitter): void {
    emitter.on('error', (error: Error) => this.failed(error.message));
  }

  /** Calls `listener` each time the connection is ready again after an outage. */
  onReconnect(listener: () => void): void {
    this.listeners.push(listener);
  }

  private failed(reason: string): void {
    if (this.down) return;
    this.down = true;
    this.logger.warn('Redis is unreachable: tasks submitted meanwhile are saved and queued when it is back', { error: reason });
  }

  private connected(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.info('Redis is reachable again: the task queue goes on');
    for (const listener of this.listeners) listener();
  }
}

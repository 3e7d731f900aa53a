import type { Logger } from '@supergraph/server';
import type { SchemaState } from '../pipeline/schema-state';

export type ReloadOutcome = 'success' | 'failed' | 'unchanged';

export interface SupergraphReloaderOptions {
  /** Builds and validates a complete state (see SchemaState.build); throws for a supergraph that cannot serve. */
  build(supergraphSdl: string): Promise<SchemaState>;
  /**
   * Runs synchronously right after the new state became current, in the same turn of the event
   * loop (so no operation sees half a swap): Apollo Server's schema, live subscriptions. Returns
   * fields for the log line.
   */
  onSwap(next: SchemaState, previous: SchemaState): Record<string, unknown>;
  /** Counts each reload that built or failed (router_supergraph_reloads_total). */
  counted(outcome: 'success' | 'failed'): void;
  logger: Logger;
}

/**
 * Live supergraph reload: a new supergraph (from the file watcher or the URL poller) is built and
 * validated completely off to the side; only a state that built is swapped in, in one assignment.
 * A supergraph that fails is refused, logged and counted, and the current one keeps serving.
 * Reloads run one at a time, in the order they arrive.
 */
export class SupergraphReloader {
  private state: SchemaState;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    initial: SchemaState,
    private readonly options: SupergraphReloaderOptions,
  ) {
    this.state = initial;
  }

  get current(): SchemaState {
    return this.state;
  }

  /** `origin` says where the text came from (a path or URL), for the log. */
  reload(supergraphSdl: string, origin: string): Promise<ReloadOutcome> {
    const run = this.queue.then(() => this.apply(supergraphSdl, origin));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(supergraphSdl: string, origin: string): Promise<ReloadOutcome> {
    if (supergraphSdl === this.state.supergraphSdl) return 'unchanged';
    const started = performance.now();
    let next: SchemaState;
    try {
      next = await this.options.build(supergraphSdl);
    } catch (error) {
      this.options.counted('failed');
      this.options.logger.error('supergraph refused; the previous one keeps serving', {
        origin,
        error: error instanceof Error ? error.message : String(error),
      });
      return 'failed';
    }
    const built = performance.now();
    const previous = this.state;
    this.state = next;
    const swapped = this.options.onSwap(next, previous);
    this.options.counted('success');
    this.options.logger.info('supergraph reloaded', {
      origin,
      buildMs: Math.round(built - started),
      swapMs: Math.round(performance.now() - built),
      ...swapped,
    });
    return 'success';
  }
}

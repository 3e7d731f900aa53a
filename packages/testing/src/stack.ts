/**
 * What a test or a harness started — processes, servers, databases, folders — stopped in the
 * reverse order of starting (a server before the database it uses). Every harness builds on one
 * (HarnessStack), so a start that fails half-way stops exactly what it had already started.
 * Plain Node only: the test command's service provisioning uses it too.
 */
export class CleanupStack {
  private readonly stops: (() => unknown)[] = [];

  /** Remembers how to stop what was just started. */
  defer(stop: () => unknown): void {
    this.stops.push(stop);
  }

  /** Starts `start` and remembers its `stop`. */
  async add<T extends { stop(): unknown }>(start: Promise<T>): Promise<T> {
    const started = await start;
    this.defer(() => started.stop());
    return started;
  }

  /**
   * Runs `start` (which adds to this stack as it goes); if it throws, stops what it had started
   * before rethrowing, so a harness that fails half-way leaves nothing running.
   */
  async starting<T>(start: () => Promise<T>): Promise<T> {
    try {
      return await start();
    } catch (error) {
      await this.stop().catch(() => {}); // the start's own error is the one worth reporting
      throw error;
    }
  }

  /** Stops everything in reverse order; every stop runs even when one before it fails (the first failure is rethrown). */
  async stop(): Promise<void> {
    const failures: unknown[] = [];
    for (const stop of this.stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}

/**
 * Single flight: while work for a key is pending, later callers with the same key get the same
 * promise instead of starting the work again. The key is forgotten as soon as the work settles,
 * so nothing is cached beyond the moment all callers are waiting anyway.
 */
export class InFlight<T> {
  private readonly pending = new Map<string, Promise<T>>();
  private sharing = 0;

  /** `shared` is false for the caller whose call started the work. */
  run(key: string, work: () => Promise<T>): { result: Promise<T>; shared: boolean } {
    const existing = this.pending.get(key);
    if (existing) {
      this.sharing++;
      const done = () => this.sharing--;
      existing.then(done, done);
      return { result: existing, shared: true };
    }
    const result = work();
    this.pending.set(key, result);
    const forget = () => this.pending.delete(key);
    result.then(forget, forget);
    return { result, shared: false };
  }

  /** Distinct keys whose work is pending. */
  get size(): number {
    return this.pending.size;
  }

  /** Callers waiting for work another caller started. */
  get waiting(): number {
    return this.sharing;
  }
}

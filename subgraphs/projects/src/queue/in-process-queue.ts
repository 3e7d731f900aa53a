/**
 * The embedded default: per-tier FIFO arrays in this process, the same round-robin and caps as
 * the BullMQ queue. Jobs live only in memory; a restart loses the waiting ones (the database still
 * says QUEUED, and `requeueWaiting` at start puts them back).
 */
import type { PerTier } from '@supergraph/config';
import type { Tier } from '../generated/prisma/enums';
import { TIERS, tierPreference, weightedCycle } from './scheduler';
import { jobId, runLoops, type JobHandler, type ProcessOptions, type Processing, type QueuedJob, type TaskQueue } from './task-queue';

export class InProcessTaskQueue implements TaskQueue {
  readonly kind = 'in-process';
  private readonly waiting: Record<Tier, QueuedJob[]> = { ENTERPRISE: [], PRO: [], FREE: [] };
  private readonly running: Record<Tier, number> = { ENTERPRISE: 0, PRO: 0, FREE: 0 };
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private readonly wakers = new Set<() => void>();
  private readonly cycle: Tier[];
  private dispatched = 0;
  private closed = false;

  constructor(private readonly options: { weights: PerTier; caps: PerTier }) {
    this.cycle = weightedCycle(options.weights);
  }

  async enqueue(job: QueuedJob, { delayMs = 0 }: { delayMs?: number } = {}): Promise<void> {
    if (this.closed) throw new Error('The task queue is closed');
    if (delayMs <= 0) return this.push(job);
    const id = jobId(job);
    this.delayed.set(
      id,
      setTimeout(() => {
        this.delayed.delete(id);
        this.push(job);
      }, delayMs),
    );
  }

  async remove(job: QueuedJob): Promise<boolean> {
    const id = jobId(job);
    const timer = this.delayed.get(id);
    if (timer) {
      clearTimeout(timer);
      this.delayed.delete(id);
      return true;
    }
    const list = this.waiting[job.tier];
    const index = list.findIndex((queued) => jobId(queued) === id);
    if (index < 0) return false;
    list.splice(index, 1);
    return true;
  }

  async cursor(): Promise<number> {
    return this.dispatched;
  }

  process(handler: JobHandler, options: ProcessOptions): Processing {
    const processing = runLoops<Tier>({
      concurrency: options.concurrency,
      next: async () => this.take(),
      run: async (job, tier) => {
        try {
          await handler(job);
        } catch (error) {
          options.onError?.(error, job);
        } finally {
          this.running[tier]--;
          this.wake();
        }
      },
      idle: () =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(done, 1000);
          function done() {
            clearTimeout(timer);
            resolve();
          }
          this.wakers.add(done);
        }),
    });
    return {
      stop: async () => {
        const stopped = processing.stop();
        this.wake();
        await stopped;
      },
    };
  }

  onReconnect(): void {
    // Jobs live in this process's memory, which is never out of reach.
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.wake();
  }

  private take(): { job: QueuedJob; lease: Tier } | null {
    for (const tier of tierPreference(this.cycle, this.dispatched)) {
      if (this.waiting[tier].length === 0 || this.running[tier] >= this.options.caps[tier]) continue;
      this.dispatched++;
      this.running[tier]++;
      return { job: this.waiting[tier].shift()!, lease: tier };
    }
    return null;
  }

  private push(job: QueuedJob): void {
    this.waiting[job.tier].push(job);
    this.wake();
  }

  private wake(): void {
    const wakers = [...this.wakers];
    this.wakers.clear();
    for (const wake of wakers) wake();
  }

  /** Jobs waiting per tier (not counting delayed retries). */
  get waitingCounts(): Record<Tier, number> {
    return Object.fromEntries(TIERS.map((tier) => [tier, this.waiting[tier].length])) as Record<Tier, number>;
  }
}

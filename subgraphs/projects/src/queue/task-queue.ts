import type { Tier } from '../generated/prisma/enums';

/** What the queue carries: which task, at which attempt. The database holds everything else. */
export interface QueuedJob {
  taskId: string;
  tier: Tier;
  /** 1 for the first run, 2 for the first retry… */
  attempt: number;
  /** W3C trace context of the request that queued it (traceparent, tracestate): the run continues that trace. */
  trace?: Record<string, string>;
}

export type JobHandler = (job: QueuedJob) => Promise<void>;

export interface ProcessOptions {
  /** Jobs this process runs at once. */
  concurrency: number;
  /** How long an idle worker waits before looking again (BullMQ; the in-process queue is woken directly). */
  pollMs?: number;
  /** Told about handler failures: the handler records task outcomes itself, so these are bugs or outages. */
  onError?(error: unknown, job: QueuedJob): void;
}

export interface Processing {
  /** Stops taking jobs and waits for those running to finish. */
  stop(): Promise<void>;
}

/**
 * A fair task queue: per-tier FIFO queues served by weighted round-robin with per-tier caps on
 * running jobs (see scheduler.ts). Two implementations behave the same: in-process (embedded
 * default, one process) and BullMQ on Redis (any number of worker processes).
 */
export interface TaskQueue {
  readonly kind: 'in-process' | 'bullmq';
  enqueue(job: QueuedJob, options?: { delayMs?: number }): Promise<void>;
  /** Removes a job that has not started; false when it is running, finished or unknown. */
  remove(job: QueuedJob): Promise<boolean>;
  /** Dispatches made so far: where the round-robin stands. */
  cursor(): Promise<number>;
  process(handler: JobHandler, options: ProcessOptions): Processing;
  /**
   * Calls `listener` each time the queue's store is reachable again after an outage, during which
   * enqueueing failed (BullMQ: Redis). Never for the in-process queue, whose store is this process.
   */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

export const jobId = (job: QueuedJob): string => `${job.taskId}-a${job.attempt}`;

/**
 * Runs `concurrency` loops that each take the next job (`next` is serialised, so the cursor of
 * the round-robin advances one dispatch at a time in this process) and hand it to `handler`.
 */
export function runLoops<T>(options: {
  concurrency: number;
  next(): Promise<{ job: QueuedJob; lease: T } | null>;
  run(job: QueuedJob, lease: T): Promise<void>;
  idle(): Promise<void>;
}): Processing {
  let stopping = false;
  let chain: Promise<unknown> = Promise.resolve();
  const next = () => {
    const result = chain.then(() => (stopping ? null : options.next()));
    chain = result.catch(() => undefined);
    return result;
  };
  const loop = async () => {
    while (!stopping) {
      const taken = await next().catch(() => null);
      if (!taken) {
        if (!stopping) await options.idle();
        continue;
      }
      await options.run(taken.job, taken.lease);
    }
  };
  const loops = Array.from({ length: Math.max(1, options.concurrency) }, loop);
  return {
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

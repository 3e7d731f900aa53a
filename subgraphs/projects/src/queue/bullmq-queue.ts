/**
 * The task queue on Redis with BullMQ: one BullMQ queue per tier (FIFO), a shared round-robin
 * cursor in Redis, and each tier's cap on running jobs as that queue's BullMQ global concurrency,
 * which holds across every worker process. Workers take jobs by hand (`getNextJob`) in the order
 * the round-robin gives, so any number of worker processes share one fair schedule.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { PerTier } from '@supergraph/config';
import { createLogger, type Logger } from '@supergraph/server';
import type { Tier } from '../generated/prisma/enums';
import { RedisOutages } from './redis-outages';
import { TIERS, tierPreference, weightedCycle } from './scheduler';
import { jobId, runLoops, type JobHandler, type ProcessOptions, type Processing, type QueuedJob, type TaskQueue } from './task-queue';

export interface BullTaskQueueOptions {
  redisUrl: string;
  /** Redis key prefix: keeps deployments (and test runs) apart. */
  prefix: string;
  weights: PerTier;
  caps: PerTier;
  /** A worker that stops renewing its lock this long is presumed dead; its job is run again. */
  lockDurationMs?: number;
  /** Where Redis outages are reported (once each). Default: a logger of its own, service "projects". */
  logger?: Logger;
}

const queueName = (tier: Tier) => `projects-tasks-${tier.toLowerCase()}`;

export class BullTaskQueue implements TaskQueue {
  readonly kind = 'bullmq';
  private readonly redis: Redis;
  private readonly queues: Record<Tier, Queue<QueuedJob>>;
  private readonly cycle: Tier[];
  private readonly cursorKey: string;
  private configured: Promise<unknown> | undefined;
  private readonly outages: RedisOutages;
  private readonly workers: Worker<QueuedJob>[] = [];
  private readonly connections: Redis[] = [];

  constructor(private readonly options: BullTaskQueueOptions) {
    // Commands on this connection (submitting, removing, the cursor) fail at once while Redis is
    // away instead of waiting for it: a submit must answer within the router's deadline, and the
    // task it saved is queued when Redis is back (`onReconnect`). Workers wait on connections of their own.
    this.redis = new Redis(options.redisUrl, { enableOfflineQueue: false });
    this.outages = new RedisOutages(options.logger ?? createLogger({ service: 'projects' }), this.redis);
    this.cycle = weightedCycle(options.weights);
    this.cursorKey = `${options.prefix}:projects-tasks:cursor`;
    this.queues = Object.fromEntries(
      TIERS.map((tier) => [tier, new Queue<QueuedJob>(queueName(tier), { connection: this.redis, prefix: options.prefix })]),
    ) as Record<Tier, Queue<QueuedJob>>;
    for (const queue of Object.values(this.queues)) this.outages.watch(queue);
    // A Redis that came back empty lost the caps too: the next caller sets them again.
    this.outages.onReconnect(() => (this.configured = undefined));
    void this.configure().catch(() => undefined);
  }

  onReconnect(listener: () => void): void {
    this.outages.onReconnect(listener);
  }

  async enqueue(job: QueuedJob, { delayMs = 0 }: { delayMs?: number } = {}): Promise<void> {
    await this.configure();
    await this.queues[job.tier].add('task', job, {
      jobId: jobId(job),
      delay: delayMs > 0 ? delayMs : undefined,
      removeOnComplete: true,
      removeOnFail: true,
    });
  }

  async remove(job: QueuedJob): Promise<boolean> {
    const found = await this.queues[job.tier].getJob(jobId(job));
    if (!found) return false;
    const state = await found.getState();
    if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return false;
    try {
      await found.remove();
      return true;
    } catch {
      return false; // a worker took it meanwhile (it holds the lock)
    }
  }

  async cursor(): Promise<number> {
    return Number((await this.redis.get(this.cursorKey)) ?? 0);
  }

  process(handler: JobHandler, options: ProcessOptions): Processing {
    const token = `${process.pid}-${randomUUID()}`;
    const lockDuration = this.options.lockDurationMs ?? 60_000;
    const workers = Object.fromEntries(
      TIERS.map((tier) => [
        tier,
        new Worker<QueuedJob>(queueName(tier), null, {
          connection: this.connect(),
          prefix: this.options.prefix,
          autorun: false,
          lockDuration,
          // BullMQ's own ratio (30 s checks of 60 s locks), kept when the lock is shortened.
          stalledInterval: lockDuration / 2,
        }),
      ]),
    ) as Record<Tier, Worker<QueuedJob>>;
    this.workers.push(...Object.values(workers));
    for (const worker of Object.values(workers)) this.outages.watch(worker);
    // Re-queues jobs whose worker died (its lock expired) — what `autorun` would do for us.
    for (const worker of Object.values(workers)) void worker.startStalledCheckTimer().catch(() => undefined);
    let slot = 0;

    const processing = runLoops<{ bullJob: Job<QueuedJob>; token: string }>({
      concurrency: options.concurrency,
      next: async () => {
        await this.configure();
        // Each attempt claims its own dispatch slot, atomically across all worker processes, so
        // N workers together follow the cycle exactly. A slot that finds nothing is simply spent.
        const cursor = (await this.redis.incr(this.cursorKey)) - 1;
        const jobToken = `${token}-${slot++}`;
        for (const tier of tierPreference(this.cycle, cursor)) {
          const bullJob = await workers[tier].getNextJob(jobToken, { block: false });
          if (bullJob) return { job: bullJob.data, lease: { bullJob, token: jobToken } };
        }
        return null;
      },
      run: async (job, { bullJob, token: jobToken }) => {
        // Taking jobs by hand means renewing their lock by hand, so a long task is not presumed dead.
        const renew = setInterval(() => void bullJob.extendLock(jobToken, lockDuration).catch(() => undefined), lockDuration / 3);
        try {
          await handler(job);
          await bullJob.moveToCompleted(null, jobToken, false);
        } catch (error) {
          options.onError?.(error, job);
          await bullJob.moveToFailed(error instanceof Error ? error : new Error(String(error)), jobToken, false).catch(() => undefined);
        } finally {
          clearInterval(renew);
        }
      },
      idle: () => sleep(options.pollMs ?? 100),
    });
    return {
      stop: async () => {
        await processing.stop();
        await Promise.all(Object.values(workers).map((worker) => worker.close()));
      },
    };
  }

  /** Deletes every job and the cursor (tests). */
  async obliterate(): Promise<void> {
    await Promise.all(TIERS.map((tier) => this.queues[tier].obliterate({ force: true })));
    await this.redis.del(this.cursorKey);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all(TIERS.map((tier) => this.queues[tier].close()));
    for (const connection of this.connections) connection.disconnect();
    this.redis.disconnect();
  }

  /** Sets each tier's cap, tried again by the next caller when Redis was away. */
  private configure(): Promise<unknown> {
    this.configured ??= Promise.all(TIERS.map((tier) => this.queues[tier].setGlobalConcurrency(this.options.caps[tier]))).catch((error: unknown) => {
      this.configured = undefined;
      throw error;
    });
    return this.configured;
  }

  /** A worker's connection: BullMQ requires maxRetriesPerRequest: null on the connections its workers block on. */
  private connect(): Redis {
    const connection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
    this.connections.push(connection);
    return connection;
  }
}

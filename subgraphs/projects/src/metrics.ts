import { Counter, Gauge, Histogram } from 'prom-client';
import { ServiceMetrics } from '@supergraph/server';
import type { PrismaClient } from './generated/prisma/client';
import { TaskStatus, type Tier } from './generated/prisma/enums';
import { TIERS } from './queue/scheduler';

/** How a task attempt ended: SUCCEEDED, FAILED, CANCELLED, or RETRIED (failed with attempts left). */
export type TaskOutcome = TaskStatus | 'RETRIED';

/**
 * The projects subgraph's metrics: what every service exports, and the task queue. The subgraph
 * process and a separate worker process (`npm run worker`, its own /metrics port) each export what
 * they see: waits and outcomes where tasks run, the queue depth from the subgraph (read from the
 * database, the queue's source of truth, so it is the same whichever process asks).
 */
export class ProjectsMetrics extends ServiceMetrics {
  readonly queueWait = new Histogram({
    name: 'projects_queue_wait_seconds',
    help: 'From submission to the start of a task’s first attempt, by tier (retries wait their backoff on purpose and are not counted).',
    labelNames: ['tier'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [this.registry],
  });
  readonly tasks = new Counter({
    name: 'projects_tasks_total',
    help: 'Task attempts by outcome (SUCCEEDED, FAILED, CANCELLED, RETRIED) and kind.',
    labelNames: ['outcome', 'kind'] as const,
    registers: [this.registry],
  });

  constructor(service: 'projects' | 'projects-worker' = 'projects') {
    super(service);
  }

  /** Exports `projects_queue_depth{tier}`, counted in the database at each scrape. */
  watchQueue(prisma: PrismaClient): void {
    new Gauge({
      name: 'projects_queue_depth',
      help: 'Tasks waiting to run (QUEUED, retries in their backoff included), by tier.',
      labelNames: ['tier'] as const,
      registers: [this.registry],
      async collect() {
        const counts = await prisma.task.groupBy({ by: ['tier'], where: { status: TaskStatus.QUEUED }, _count: { _all: true } });
        for (const tier of TIERS) this.set({ tier }, counts.find((count) => count.tier === tier)?._count._all ?? 0);
      },
    });
  }

  started(task: { tier: Tier; attempts: number; createdAt: Date; startedAt: Date | null }): void {
    if (task.attempts === 1 && task.startedAt) this.queueWait.observe({ tier: task.tier }, (task.startedAt.getTime() - task.createdAt.getTime()) / 1000);
  }

  finished(task: { kind: string }, outcome: TaskOutcome): void {
    this.tasks.inc({ outcome, kind: task.kind });
  }
}

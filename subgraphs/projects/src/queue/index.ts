import type { ProjectsServiceConfig } from '@supergraph/config';
import { BullTaskQueue } from './bullmq-queue';
import { InProcessTaskQueue } from './in-process-queue';
import type { TaskQueue } from './task-queue';

export type { TaskQueue } from './task-queue';

/** BullMQ on Redis when REDIS_URL is set, else the in-process queue (embedded default). */
export function createTaskQueue(config: ProjectsServiceConfig): TaskQueue {
  const { tierWeights: weights, tierConcurrency: caps, queuePrefix: prefix, taskLockMs: lockDurationMs } = config.projects;
  return config.redisUrl ? new BullTaskQueue({ redisUrl: config.redisUrl, prefix, weights, caps, lockDurationMs }) : new InProcessTaskQueue({ weights, caps });
}

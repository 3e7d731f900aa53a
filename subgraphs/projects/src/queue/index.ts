import type { ProjectsServiceConfig } from '@supergraph/config';
import type { Logger } from '@supergraph/server';
import { BullTaskQueue } from './bullmq-queue';
import { InProcessTaskQueue } from './in-process-queue';
import type { TaskQueue } from './task-queue';

export type { TaskQueue } from './task-queue';

/** BullMQ on Redis when REDIS_URL is set, else the in-process queue (embedded default). */
export function createTaskQueue(config: ProjectsServiceConfig, logger: Logger): TaskQueue {
  const { tierWeights: weights, tierConcurrency: caps, queuePrefix: prefix, taskLockMs: lockDurationMs } = config.projects;
  return config.redisUrl
    ? new BullTaskQueue({ redisUrl: config.redisUrl, prefix, weights, caps, lockDurationMs, logger })
    : new InProcessTaskQueue({ weights, caps });
}

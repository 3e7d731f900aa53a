import type { Logger } from '@supergraph/server';
import type { Processing } from '../queue/task-queue';
import { processJob, type TaskEnv } from './tasks';

/** Takes tasks off the queue and runs them: inside the subgraph (embedded) or in `npm run worker`. */
export function startTaskWorker(env: TaskEnv, logger: Logger, concurrency: number): Processing {
  logger.info('task worker started', { queue: env.queue.kind, concurrency });
  return env.queue.process((job) => processJob(env, job, logger), {
    concurrency,
    onError: (error, job) => logger.error('task job failed unexpectedly', { taskId: job.taskId, error: error instanceof Error ? error.stack : String(error) }),
  });
}

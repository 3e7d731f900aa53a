/**
 * `npm run worker`: a task worker process for the BullMQ queue (REDIS_URL). Run as many as the
 * load needs; they share one fair schedule through Redis. SIGTERM finishes running tasks, then exits.
 */
import { loadProjectsConfig } from '@supergraph/config';
import { createLogger } from '@supergraph/server';
import { openProjectsDatabase } from './data/database';
import { createTaskQueue } from './queue';
import { startTaskWorker } from './tasks/worker';

async function main(): Promise<void> {
  const config = loadProjectsConfig();
  const logger = createLogger({ service: 'projects-worker' }, config.logLevel);
  if (!config.redisUrl) throw new Error('The task worker process needs REDIS_URL (without Redis the subgraph runs its worker in-process)');
  const database = await openProjectsDatabase({ url: config.projects.databaseUrl, dataDir: config.dataDir, logger });
  const queue = createTaskQueue(config);
  const worker = startTaskWorker({ prisma: database.prisma, limits: config.projects, queue }, logger, config.projects.workerConcurrency);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('task worker stopping', { signal });
    await worker.stop();
    await queue.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.stdout.write(JSON.stringify({ level: 'info', service: 'projects-worker', message: 'task worker ready', pid: process.pid }) + '\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});

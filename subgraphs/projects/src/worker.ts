/**
 * `npm run worker`: a task worker process for the BullMQ queue (REDIS_URL). Run as many as the
 * load needs; they share one fair schedule through Redis. SIGTERM finishes running tasks, then exits.
 * It serves its metrics (task waits and outcomes, database) at /metrics, and /health, on
 * PROJECTS_WORKER_METRICS_PORT, and exports the tasks' spans when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 */
import { loadProjectsConfig } from '@supergraph/config';
import { createLogger, sendJson, startHttpServer, startTracing } from '@supergraph/server';
import { openProjectsDatabase } from './data/database';
import { ProjectsMetrics } from './metrics';
import { createTaskQueue } from './queue';
import { aiService } from './tasks/ai-jobs';
import { startTaskWorker } from './tasks/worker';

async function main(): Promise<void> {
  const config = loadProjectsConfig();
  const logger = createLogger({ service: 'projects-worker' }, config.logLevel);
  if (!config.redisUrl) throw new Error('The task worker process needs REDIS_URL (without Redis the subgraph runs its worker in-process)');
  if (config.otlpEndpoint) startTracing('projects-worker', config.otlpEndpoint);
  const metrics = new ProjectsMetrics('projects-worker');
  const database = await openProjectsDatabase({ url: config.projects.databaseUrl, dataDir: config.dataDir, logger });
  metrics.observeDatabase(database);
  const queue = createTaskQueue(config, logger);
  const worker = startTaskWorker(
    { prisma: database.prisma, limits: config.projects, queue, metrics, ai: aiService(config) },
    logger,
    config.projects.workerConcurrency,
  );
  const server = await startHttpServer({
    host: config.host,
    port: config.projects.workerMetricsPort,
    logger,
    graceMs: config.shutdownGraceMs,
    routes: { '/metrics': (_request, response) => metrics.serve(response), '/health': (_request, response) => sendJson(response, 200, { status: 'ok' }) },
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('task worker stopping', { signal });
    await worker.stop();
    await server.stop();
    await queue.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  logger.info('task worker ready', { pid: process.pid, metrics: `${server.url}/metrics` });
}

main().catch((error: unknown) => {
  createLogger({ service: 'projects-worker' }).error('task worker failed to start', { error: error instanceof Error ? error.stack : String(error) });
  process.exit(1);
});

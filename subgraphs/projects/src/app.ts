import type { ProjectsServiceConfig } from '@supergraph/config';
import { createLogger, type Logger, type RunningServer } from '@supergraph/server';
import { startOutboxRelay, type OutboxRelay } from '@supergraph/outbox';
import { createEventBus, type EventBus } from '@supergraph/pubsub';
import { serveSubgraph, serverOptions } from '@supergraph/subgraph';
import { createProjectsContext } from './context';
import { openProjectsDatabase, type ProjectsDatabase } from './data/database';
import { ProjectsMetrics } from './metrics';
import { createTaskQueue, type TaskQueue } from './queue';
import type { Processing } from './queue/task-queue';
import { buildProjectsSchema } from './schema';
import { aiService } from './tasks/ai-jobs';
import { requeueWaiting, waitingTasksSweeper, type TaskEnv } from './tasks/tasks';
import { startTaskWorker } from './tasks/worker';

export interface ProjectsSubgraph extends RunningServer {
  database: ProjectsDatabase;
  queue: TaskQueue;
  events: EventBus;
  outbox: OutboxRelay;
  /** The task worker running inside this process (embedded mode), if any. */
  worker: Processing | undefined;
  metrics: ProjectsMetrics;
}

/** Opens the database, migrates it, starts the queue (and the in-process worker) and serves the subgraph. */
export async function startProjectsSubgraph(
  config: ProjectsServiceConfig,
  logger: Logger = createLogger({ service: 'projects' }, config.logLevel),
): Promise<ProjectsSubgraph> {
  const metrics = new ProjectsMetrics();
  const database = await openProjectsDatabase({ url: config.projects.databaseUrl, dataDir: config.dataDir, logger });
  metrics.observeDatabase(database);
  metrics.watchQueue(database.prisma);
  const events = metrics.countEvents(createEventBus(config));
  const queue = createTaskQueue(config, logger);
  const env: TaskEnv = { prisma: database.prisma, limits: config.projects, queue, metrics, ai: aiService(config) };
  // Publishes outbox_events (projects.projectChanged, projects.taskUpdated) to the bus after commit.
  const relay = startOutboxRelay({ sql: database.sql, bus: events, logger });
  metrics.observeOutbox(relay.lagSeconds);
  let worker: Processing | undefined;
  let stopSweeping = () => {};
  const close = async () => {
    stopSweeping();
    await worker?.stop();
    await relay.stop();
    await queue.close();
    await events.close();
    await database.close();
  };
  try {
    // The in-process queue forgets waiting jobs on restart; the database remembers them.
    if (queue.kind === 'in-process') await requeueWaiting(env);
    else {
      // What was saved while Redis was away (or by a process that stopped before queueing it) gets its job.
      const sweeper = waitingTasksSweeper(env, logger);
      stopSweeping = sweeper.stop;
      sweeper.sweep();
      queue.onReconnect(sweeper.sweep);
    }
    if (config.projects.inProcessWorker) worker = startTaskWorker(env, logger, config.projects.workerConcurrency);
    else logger.info('no task worker in this process: start workers with `npm run worker` in subgraphs/projects', { queue: queue.kind });
    const running = await serveSubgraph({
      name: 'projects',
      schema: await buildProjectsSchema(),
      ...serverOptions(config),
      port: config.projects.port,
      logger,
      metrics,
      createContext: (base) => createProjectsContext(base, database.prisma, config, queue, events),
      onStop: close,
    });
    return Object.assign(running, { database, queue, events, outbox: relay, worker, metrics });
  } catch (error) {
    await close();
    throw error;
  }
}

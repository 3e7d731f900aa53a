import { deploymentSetting, flag, int, perTier, text, type Env, type PerTier } from './parsers';
import { loadEventsConfig, loadServiceConfig, type EventsConfig, type ServiceConfig } from './service';

/** Everything the projects subgraph and its task worker processes read. */
export interface ProjectsServiceConfig extends ServiceConfig, EventsConfig {
  projects: ProjectsConfig;
}

export interface ProjectsConfig {
  /** PROJECTS_PORT. Default 4002. */
  port: number;
  /** PROJECTS_DATABASE_URL: PostgreSQL. Default: unset, an embedded PGlite under DATA_DIR. */
  databaseUrl: string | undefined;
  /** PROJECTS_INPROCESS_WORKER: run the task worker inside the subgraph process. Default: on without REDIS_URL, off with it. */
  inProcessWorker: boolean;
  /** PROJECTS_WORKER_CONCURRENCY: tasks one worker process runs at once. Default 2. */
  workerConcurrency: number;
  /** PROJECTS_WORKER_METRICS_PORT: where a separate worker process (`npm run worker`) serves /metrics and /health. Default 4012. */
  workerMetricsPort: number;
  /** PROJECTS_TIER_WEIGHTS: weighted round-robin shares of the task queue's dispatch slots. Default `6:3:1`. */
  tierWeights: PerTier;
  /** PROJECTS_TIER_CONCURRENCY: tasks of a tier running at once across all workers. Default `8:4:2`. */
  tierConcurrency: PerTier;
  /** PROJECTS_MAX_PENDING_TASKS: unfinished (queued or running) tasks one user may have, by tier. Default `500:100:20`. */
  maxPendingTasks: PerTier;
  /** PROJECTS_TASK_MAX_ATTEMPTS. Default 3. */
  taskMaxAttempts: number;
  /** PROJECTS_TASK_BACKOFF_MS: first retry delay; each further retry doubles it. Default 1000. */
  taskBackoffMs: number;
  /** PROJECTS_TASK_LOCK_MS: a BullMQ worker silent this long is presumed dead and its running task is handed out again. Default 60000. */
  taskLockMs: number;
  /** AI_URL: the AI subgraph, which checks and runs AI jobs (called with a signed service identity). Default `http://localhost:4005/graphql`; required in production. */
  aiUrl: string;
  /** PROJECTS_QUEUE_PREFIX: key prefix of the BullMQ queues in Redis. Default `supergraph`. */
  queuePrefix: string;
  /** PROJECTS_MAX_FILES: files one project may hold. Default 1000. */
  maxFilesPerProject: number;
  /** PROJECTS_MAX_FILES_PER_CHANGE: files one mutation may change. Default 100. */
  maxFilesPerChange: number;
  /** PROJECTS_MAX_FILE_BYTES: largest file content. Default 262144. */
  maxFileBytes: number;
  /** PROJECTS_COMMAND_RETRIES: how often a command retries after losing an expected-version race before VERSION_CONFLICT. Default 50. */
  commandRetries: number;
}

export function loadProjectsConfig(env: Env = process.env): ProjectsServiceConfig {
  const events = loadEventsConfig(env);
  const service = loadServiceConfig(env);
  return {
    ...service,
    ...events,
    projects: {
      port: int(env, 'PROJECTS_PORT', 4002),
      databaseUrl: text(env, 'PROJECTS_DATABASE_URL'),
      inProcessWorker: flag(env, 'PROJECTS_INPROCESS_WORKER', !events.redisUrl),
      workerConcurrency: int(env, 'PROJECTS_WORKER_CONCURRENCY', 2),
      workerMetricsPort: int(env, 'PROJECTS_WORKER_METRICS_PORT', 4012),
      tierWeights: perTier(env, 'PROJECTS_TIER_WEIGHTS', '6:3:1'),
      tierConcurrency: perTier(env, 'PROJECTS_TIER_CONCURRENCY', '8:4:2'),
      maxPendingTasks: perTier(env, 'PROJECTS_MAX_PENDING_TASKS', '500:100:20'),
      taskMaxAttempts: int(env, 'PROJECTS_TASK_MAX_ATTEMPTS', 3),
      taskBackoffMs: int(env, 'PROJECTS_TASK_BACKOFF_MS', 1000),
      taskLockMs: int(env, 'PROJECTS_TASK_LOCK_MS', 60_000),
      aiUrl: deploymentSetting(env, 'AI_URL', service.production, 'http://localhost:4005/graphql'),
      queuePrefix: env.PROJECTS_QUEUE_PREFIX ?? 'supergraph',
      maxFilesPerProject: int(env, 'PROJECTS_MAX_FILES', 1000),
      maxFilesPerChange: int(env, 'PROJECTS_MAX_FILES_PER_CHANGE', 100),
      maxFileBytes: int(env, 'PROJECTS_MAX_FILE_BYTES', 262_144),
      commandRetries: int(env, 'PROJECTS_COMMAND_RETRIES', 50),
    },
  };
}

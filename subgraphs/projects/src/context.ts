import type { ProjectsServiceConfig } from '@supergraph/config';
import type { EventBus } from '@supergraph/pubsub';
import { eventLoaders, type RequestBase } from '@supergraph/subgraph';
import type { PrismaClient } from './generated/prisma/client';
import { createLoaders, type ProjectsLoaders } from './data/loaders';
import type { TaskQueue } from './queue/task-queue';
import { aiService } from './tasks/ai-jobs';
import type { TaskEnv } from './tasks/tasks';

export interface ProjectsContext extends RequestBase {
  prisma: PrismaClient;
  loaders: ProjectsLoaders;
  config: ProjectsServiceConfig;
  /** What commands and task operations need: the database, the limits and the queue. */
  env: TaskEnv;
  /** Events relayed from the outbox after commit: what subscriptions listen to. */
  events: EventBus;
}

export function createProjectsContext(
  base: RequestBase,
  prisma: PrismaClient,
  config: ProjectsServiceConfig,
  queue: TaskQueue,
  events: EventBus,
): ProjectsContext {
  return { ...base, prisma, config, events, env: { prisma, limits: config.projects, queue, ai: aiService(config) }, loaders: createLoaders(prisma) };
}

const loadersOfEvent = eventLoaders<ProjectsLoaders>();

/**
 * Points a subscription at the loaders of the event it is resolving, shared with every other
 * subscription receiving it (see eventLoaders): one `taskUpdated` costs one query per loader
 * however many watch the project. Shareable because they hold data, not permissions: every loader
 * reads by id, and who may see a task or a project's tasks is checked by `subscribe` and the
 * field resolvers (`isOwnerOrAdmin`, `canRead`).
 */
export function useEventLoaders(ctx: ProjectsContext, event: object): void {
  ctx.loaders = loadersOfEvent(event, ctx.prisma, () => createLoaders(ctx.prisma));
}

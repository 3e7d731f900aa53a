import type { PlatformConfig } from '@supergraph/config';
import type { EventBus } from '@supergraph/pubsub';
import type { RequestBase } from '@supergraph/subgraph';
import type { PrismaClient } from './generated/prisma/client';
import { createLoaders, type ProjectsLoaders } from './data/loaders';
import type { TaskQueue } from './queue/task-queue';
import type { TaskEnv } from './tasks/tasks';

export interface ProjectsContext extends RequestBase {
  prisma: PrismaClient;
  loaders: ProjectsLoaders;
  config: PlatformConfig;
  /** What commands and task operations need: the database, the limits and the queue. */
  env: TaskEnv;
  /** Events relayed from the outbox after commit: what subscriptions listen to. */
  events: EventBus;
}

export function createProjectsContext(base: RequestBase, prisma: PrismaClient, config: PlatformConfig, queue: TaskQueue, events: EventBus): ProjectsContext {
  return { ...base, prisma, config, events, env: { prisma, limits: config.projects, queue }, loaders: createLoaders(prisma) };
}

/** A subscription's context outlives many events: each event starts with empty loaders. */
export function renewLoaders(ctx: ProjectsContext): void {
  ctx.loaders = createLoaders(ctx.prisma);
}

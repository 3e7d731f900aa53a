import type { UsersServiceConfig } from '@supergraph/config';
import type { EventBus } from '@supergraph/pubsub';
import { eventLoaders, type RequestBase } from '@supergraph/subgraph';
import type { PrismaClient } from './generated/prisma/client';
import { createLoaders, type UsersLoaders } from './data/loaders';
import type { UsersMetrics } from './metrics';

export interface UsersContext extends RequestBase {
  prisma: PrismaClient;
  loaders: UsersLoaders;
  config: UsersServiceConfig;
  /** Events relayed from the outbox after commit: what subscriptions listen to. */
  events: EventBus;
  metrics: UsersMetrics;
  /** Called after a commit that wrote to the outbox, so the relay publishes at once rather than at its next poll. */
  onCommitted: () => void;
  /** Set when this request itself signed a user in: the response may show them their own data. */
  signedInUserId?: string;
}

/** What every request of the users subgraph shares: the database, the configuration, the bus, the metrics and the outbox relay's wake-up. */
export interface UsersServices {
  prisma: PrismaClient;
  config: UsersServiceConfig;
  events: EventBus;
  metrics: UsersMetrics;
  onCommitted: () => void;
}

export function createUsersContext(base: RequestBase, services: UsersServices): UsersContext {
  return { ...base, ...services, loaders: createLoaders(services.prisma) };
}

const loadersOfEvent = eventLoaders<UsersLoaders>();

/**
 * Points a subscription at the loaders of the event it is resolving, shared with every other
 * subscription receiving it (see eventLoaders): 1,000 subscribers to one account, one SELECT per
 * change. Shareable because they hold data, not permissions: `userById` reads by id, and what a
 * viewer may see of a user is decided by the field resolvers.
 */
export function useEventLoaders(ctx: UsersContext, event: object): void {
  ctx.loaders = loadersOfEvent(event, ctx.prisma, () => createLoaders(ctx.prisma));
}

import type { PlatformConfig } from '@supergraph/config';
import type { EventBus } from '@supergraph/pubsub';
import type { RequestBase } from '@supergraph/subgraph';
import type { PrismaClient } from './generated/prisma/client';
import { createLoaders, type UsersLoaders } from './data/loaders';

export interface UsersContext extends RequestBase {
  prisma: PrismaClient;
  loaders: UsersLoaders;
  config: PlatformConfig;
  events: EventBus;
  /** Set when this request itself signed a user in: the response may show them their own data. */
  signedInUserId?: string;
}

export function createUsersContext(base: RequestBase, prisma: PrismaClient, config: PlatformConfig, events: EventBus): UsersContext {
  return { ...base, prisma, config, events, loaders: createLoaders(prisma) };
}

const eventLoaders = new WeakMap<object, WeakMap<PrismaClient, UsersLoaders>>();

/**
 * A subscription's context lives as long as the subscription, but each event is a new moment:
 * each event gets fresh loaders, so no event sees data cached for an earlier one. Every
 * subscription receiving the same event (the bus hands each the same object) shares that event's
 * loaders — they hold data, not permissions — so an event costs one query per loader however
 * many subscribe: 1,000 subscribers to one account, one SELECT per change.
 */
export function useEventLoaders(ctx: UsersContext, event: object): void {
  let byDatabase = eventLoaders.get(event);
  if (!byDatabase) eventLoaders.set(event, (byDatabase = new WeakMap()));
  let loaders = byDatabase.get(ctx.prisma);
  if (!loaders) byDatabase.set(ctx.prisma, (loaders = createLoaders(ctx.prisma)));
  ctx.loaders = loaders;
}

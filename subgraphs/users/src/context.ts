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

/**
 * A subscription's context lives as long as the subscription, but each event is a new moment:
 * start each one with empty loaders so no event sees data cached for an earlier one.
 */
export function renewLoaders(ctx: UsersContext): void {
  ctx.loaders = createLoaders(ctx.prisma);
}

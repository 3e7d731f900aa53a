import type { PlatformConfig } from '@supergraph/config';
import type { RequestBase } from '@supergraph/subgraph';
import type { PrismaClient } from './generated/prisma/client';
import { createLoaders, type UsersLoaders } from './data/loaders';

export interface UsersContext extends RequestBase {
  prisma: PrismaClient;
  loaders: UsersLoaders;
  config: PlatformConfig;
  /** Set when this request itself signed a user in: the response may show them their own data. */
  signedInUserId?: string;
}

export function createUsersContext(base: RequestBase, prisma: PrismaClient, config: PlatformConfig): UsersContext {
  return { ...base, prisma, config, loaders: createLoaders(prisma) };
}

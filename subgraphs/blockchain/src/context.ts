import type { PlatformConfig } from '@supergraph/config';
import type { EventBus } from '@supergraph/pubsub';
import type { RequestBase } from '@supergraph/subgraph';
import type { PrismaClient } from './generated/prisma/client';
import type { ChainReader } from './data/chain-reader';
import type { TreasuryPayouts } from './chain/treasury';
import type { PayoutService } from './payouts/payout-service';
import { createLoaders, type BlockchainLoaders } from './data/loaders';

/** What lives as long as the subgraph: shared by every request. */
export interface BlockchainServices {
  prisma: PrismaClient;
  config: PlatformConfig;
  events: EventBus;
  reader: ChainReader;
  treasury: TreasuryPayouts;
  payouts: PayoutService;
}

export interface BlockchainContext extends RequestBase, BlockchainServices {
  loaders: BlockchainLoaders;
}

export function createBlockchainContext(base: RequestBase, services: BlockchainServices): BlockchainContext {
  return { ...base, ...services, loaders: createLoaders(services.reader, services.prisma) };
}

/** Each subscription event is a new moment: start it with empty loaders (see the users subgraph). */
export function renewLoaders(ctx: BlockchainContext): void {
  ctx.loaders = createLoaders(ctx.reader, ctx.prisma);
}

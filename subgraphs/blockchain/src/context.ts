import type { BlockchainServiceConfig } from '@supergraph/config';
import type { EventBus } from '@supergraph/pubsub';
import { eventLoaders, type RequestBase } from '@supergraph/subgraph';
import type { PrismaClient } from './generated/prisma/client';
import type { ChainReader } from './data/chain-reader';
import type { TreasuryPayouts } from './chain/treasury';
import type { PayoutService } from './payouts/payout-service';
import type { BlockchainMetrics } from './metrics';
import { createLoaders, type BlockchainLoaders } from './data/loaders';

/** What lives as long as the subgraph: shared by every request. */
export interface BlockchainServices {
  prisma: PrismaClient;
  config: BlockchainServiceConfig;
  events: EventBus;
  reader: ChainReader;
  treasury: TreasuryPayouts;
  payouts: PayoutService;
  metrics: BlockchainMetrics;
}

export interface BlockchainContext extends RequestBase, BlockchainServices {
  loaders: BlockchainLoaders;
}

export function createBlockchainContext(base: RequestBase, services: BlockchainServices): BlockchainContext {
  return { ...base, ...services, loaders: createLoaders(services.reader, services.prisma) };
}

const loadersOfEvent = eventLoaders<BlockchainLoaders>();

/**
 * Points a subscription at the loaders of the event it is resolving, shared with every other
 * subscription receiving it (see eventLoaders): one `tokenTransfer` costs one cache round (and at
 * most one JSON-RPC batch) per loader however many subscribe. Shareable because they hold data, not
 * permissions: the chain is public, and no loader reads anything by who asks.
 */
export function useEventLoaders(ctx: BlockchainContext, event: object): void {
  // The database client stands for this subgraph instance; its reader goes with it.
  ctx.loaders = loadersOfEvent(event, ctx.prisma, () => createLoaders(ctx.reader, ctx.prisma));
}

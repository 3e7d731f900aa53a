import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@supergraph/subgraph';
import type { BlockchainContext } from '../context';
import { BlockResolver } from './block';
import { PayoutResolver } from './payout';
import { ContractAnalysisResolver } from './contract-analysis';
import { BlockMevResolver, TransactionMevResolver } from './mev';
import { WalletClusterResolver } from './wallet-cluster';
import { ChainStatusResolver } from './chain-status';
import { ForgeTokenResolver, TreasuryResolver } from './token';
import { resolveTransactionReference, TransactionResolver } from './transaction';
import { TransactionTransfersResolver } from './transaction-transfers';
import { TransferFeedResolver } from './transfer-feed';
import { resolveUserReference, User, UserWalletsResolver } from './user';
import { resolveWalletReference, TokenTransferResolver, WalletResolver } from './wallet';

// Every Query field is nullable, lists as [X!]: a non-null root field that fails nulls the whole `data` of an
// operation that also asks other subgraphs, so an outage of this one must null only its own root fields (each with
// SUBGRAPH_UNAVAILABLE). Mutation and Subscription fields stay non-null: a mutation's result is its answer.

/** The blockchain subgraph schema; needs no chain and no database, so composition can print it anywhere. */
export function buildBlockchainSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema<BlockchainContext>({
    resolvers: [
      WalletResolver,
      TokenTransferResolver,
      TransactionResolver,
      BlockResolver,
      ForgeTokenResolver,
      TreasuryResolver,
      ChainStatusResolver,
      UserWalletsResolver,
      PayoutResolver,
      TransactionTransfersResolver,
      TransferFeedResolver,
      ContractAnalysisResolver,
      BlockMevResolver,
      TransactionMevResolver,
      WalletClusterResolver,
    ],
    orphanedTypes: [User],
    federationDirectives: ['@key', '@external', '@requires', '@inaccessible', '@authenticated'],
    referenceResolvers: { Wallet: resolveWalletReference, Transaction: resolveTransactionReference, User: resolveUserReference },
  });
}

import { Arg, Ctx, Directive, Query, Resolver } from 'type-graphql';
import { badUserInput } from '@supergraph/server';
import { requireService } from '@supergraph/subgraph';
import type { BlockchainContext } from '../context';
import type { TransactionView } from '../data/chain-reader';
import { parseTransactionHash } from './inputs';
import { TokenTransfer, TransferStatus } from './wallet';

/** Hashes per lookup at most: payments re-checks at most this many pending payments per pass. */
export const MAX_LOOKUP_HASHES = 100;

/**
 * Service only (hidden from the public API): how payments settles a token payment without
 * relying on the at-most-once `blockchain.tokenTransfer` events — it asks. The answer comes from
 * the node (the receipt, and the head for confirmations), not from the follower's table, so a
 * follower that lags, or has not yet undone a reorg, never makes it stale.
 */
@Resolver()
export class TransactionTransfersResolver {
  @Directive('@inaccessible')
  @Query(() => [TokenTransfer], {
    nullable: true,
    description:
      'Service only: the $FORGE Transfers in these transactions as the chain shows them now, in order; none for a transaction that is unknown, not mined yet or reverted. CONFIRMED once BLOCKCHAIN_CONFIRMATIONS deep.',
  })
  async tokenTransfersInTransactions(@Arg('hashes', () => [String]) hashes: string[], @Ctx() ctx: BlockchainContext): Promise<TokenTransfer[]> {
    requireService(ctx.identity);
    if (hashes.length < 1 || hashes.length > MAX_LOOKUP_HASHES) {
      throw badUserInput(`hashes must name 1 to ${MAX_LOOKUP_HASHES} transactions`, 'BAD_USER_INPUT', 'hashes');
    }
    const parsed = hashes.map((hash) => parseTransactionHash(hash, 'hashes'));
    // Started in one tick: the loader reads them in one cache round and one JSON-RPC batch.
    const [views, head] = await Promise.all([Promise.all(parsed.map((hash) => ctx.loaders.transaction.load(hash))), ctx.reader.head()]);
    return views.flatMap((view) => (view ? transfersOf(view, head, ctx.reader.confirmationsRequired) : []));
  }
}

function transfersOf(view: TransactionView, head: bigint, confirmationsRequired: number): TokenTransfer[] {
  const { blockNumber } = view;
  if (blockNumber === null) return [];
  const confirmations = Math.max(0, Number(head) - blockNumber + 1);
  return view.forgeTransfers.map((transfer) => ({
    hash: view.hash,
    logIndex: transfer.logIndex,
    from: transfer.from,
    to: transfer.to,
    value: transfer.value.toString(),
    blockNumber,
    status: confirmations >= confirmationsRequired ? TransferStatus.CONFIRMED : TransferStatus.PENDING,
    knownConfirmations: confirmations,
  }));
}

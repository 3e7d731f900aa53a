import DataLoader from 'dataloader';
import type { MevFinding, PrismaClient, TokenTransfer } from '../generated/prisma/client';
import type { BlockView, ChainReader, TransactionView, WalletState } from './chain-reader';

/** Transfers kept per wallet in `recentTransfers` at most. */
export const MAX_RECENT_TRANSFERS = 50;

/**
 * Per-request batching: N wallets (the wallets of N users in one `_entities` call) cost one cache
 * round and one JSON-RPC batch; their recent transfers one SQL query.
 */
export interface BlockchainLoaders {
  wallet: DataLoader<string, WalletState>;
  recentTransfers: DataLoader<string, TokenTransfer[]>;
  block: DataLoader<number, BlockView | null>;
  transaction: DataLoader<string, TransactionView | null>;
  /** Stored MEV findings by block number, and by a transaction they involve. */
  mevByBlock: DataLoader<number, MevFinding[]>;
  mevByTransaction: DataLoader<string, MevFinding[]>;
}

export function createLoaders(reader: ChainReader, prisma: PrismaClient): BlockchainLoaders {
  return {
    wallet: new DataLoader((addresses) => reader.wallets(addresses)),
    block: new DataLoader((numbers) => reader.blocks(numbers)),
    transaction: new DataLoader((hashes) => reader.transactions(hashes)),
    mevByBlock: new DataLoader(async (numbers) => {
      const rows = await prisma.mevFinding.findMany({ where: { blockNumber: { in: numbers.map(BigInt) } }, orderBy: { id: 'asc' } });
      return numbers.map((number) => rows.filter((row) => row.blockNumber === BigInt(number)));
    }),
    mevByTransaction: new DataLoader(async (hashes) => {
      const rows = await prisma.mevFinding.findMany({ where: { txHashes: { hasSome: [...hashes] } }, orderBy: { id: 'asc' } });
      return hashes.map((hash) => rows.filter((row) => row.txHashes.includes(hash)));
    }),
    recentTransfers: new DataLoader(async (addresses) => {
      const list = [...addresses];
      // Newest first, MAX_RECENT_TRANSFERS per wallet (a window function keeps it one query).
      const rows = await prisma.$queryRaw<{ tx_hash: string; log_index: number; owner: string }[]>`
        SELECT tx_hash, log_index, owner FROM (
          SELECT t.tx_hash, t.log_index, a.owner,
                 row_number() OVER (PARTITION BY a.owner ORDER BY t.block_number DESC, t.log_index DESC) AS position
          FROM unnest(${list}::text[]) AS a(owner)
          JOIN token_transfers t ON (t.from_address = a.owner OR t.to_address = a.owner) AND t.status <> 'REMOVED'
        ) ranked WHERE position <= ${MAX_RECENT_TRANSFERS}`;
      const transfers = rows.length
        ? await prisma.tokenTransfer.findMany({ where: { OR: rows.map((row) => ({ txHash: row.tx_hash, logIndex: row.log_index })) } })
        : [];
      const byKey = new Map(transfers.map((transfer) => [`${transfer.txHash}:${transfer.logIndex}`, transfer]));
      const byOwner = new Map<string, TokenTransfer[]>();
      for (const row of rows) {
        const transfer = byKey.get(`${row.tx_hash}:${row.log_index}`);
        if (transfer) byOwner.set(row.owner, [...(byOwner.get(row.owner) ?? []), transfer]);
      }
      const newestFirst = (a: TokenTransfer, b: TokenTransfer) =>
        a.blockNumber === b.blockNumber ? b.logIndex - a.logIndex : a.blockNumber < b.blockNumber ? 1 : -1;
      return list.map((address) => (byOwner.get(address) ?? []).sort(newestFirst));
    }),
  };
}

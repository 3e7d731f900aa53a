/**
 * Every $FORGE transfer this subgraph has stored, oldest first, for services that learn from the
 * platform's activity over time (the AI subgraph's forecaster). Ordered by (createdAt, txHash,
 * logIndex), which is unique, so a page resumes exactly after the last row of the one before.
 *
 * A batch read, not a change feed: a transfer keeps its place when its status changes (PENDING to
 * CONFIRMED, or REMOVED in a reorg), so a reader that needs current statuses reads from the start.
 */
import type { PrismaClient } from '../generated/prisma/client';
import type { TransferStatus } from '../generated/prisma/enums';

export interface TransferFeedPosition {
  createdAt: Date;
  txHash: string;
  logIndex: number;
}

export interface TransferFeedRow extends TransferFeedPosition {
  blockNumber: bigint;
  fromAddress: string;
  toAddress: string;
  value: string;
  status: TransferStatus;
}

export interface TransferFeedPage {
  rows: TransferFeedRow[];
  hasMore: boolean;
}

/** Before every row: the first page starts here. */
const ORIGIN: TransferFeedPosition = { createdAt: new Date(0), txHash: '', logIndex: -1 };

interface FeedRow {
  tx_hash: string;
  log_index: number;
  block_number: bigint;
  from_address: string;
  to_address: string;
  value: string;
  status: TransferStatus;
  created_at: Date;
}

/** A row comparison, so each page is one range scan of the (created_at, tx_hash, log_index) index. */
export async function readTransferFeed(prisma: PrismaClient, after: TransferFeedPosition | null, first: number): Promise<TransferFeedPage> {
  const { createdAt, txHash, logIndex } = after ?? ORIGIN;
  const rows = await prisma.$queryRaw<FeedRow[]>`
    SELECT tx_hash, log_index, block_number, from_address, to_address, value, status::text AS status, created_at
    FROM token_transfers
    WHERE (created_at, tx_hash, log_index) > (${createdAt}, ${txHash}, ${logIndex})
    ORDER BY created_at, tx_hash, log_index
    LIMIT ${first + 1}`;
  return {
    rows: rows.slice(0, first).map((row) => ({
      createdAt: row.created_at,
      txHash: row.tx_hash,
      logIndex: row.log_index,
      blockNumber: row.block_number,
      fromAddress: row.from_address,
      toAddress: row.to_address,
      value: row.value,
      status: row.status,
    })),
    hasMore: rows.length > first,
  };
}

/** `<createdAt in ms>:<txHash>:<logIndex>`: opaque to readers, who pass it back as it came. */
export function formatPosition({ createdAt, txHash, logIndex }: TransferFeedPosition): string {
  return `${createdAt.getTime()}:${txHash}:${logIndex}`;
}

export function parsePosition(cursor: string): TransferFeedPosition | null {
  const match = /^(\d{1,15}):(0x[0-9a-f]{64}):(\d{1,9})$/.exec(cursor);
  if (match === null) return null;
  return { createdAt: new Date(Number(match[1])), txHash: match[2]!, logIndex: Number(match[3]) };
}

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

export async function readTransferFeed(prisma: PrismaClient, after: TransferFeedPosition | null, first: number): Promise<TransferFeedPage> {
  const rows = await prisma.tokenTransfer.findMany({
    where: after === null ? {} : afterPosition(after),
    orderBy: [{ createdAt: 'asc' }, { txHash: 'asc' }, { logIndex: 'asc' }],
    take: first + 1,
    select: { createdAt: true, txHash: true, logIndex: true, blockNumber: true, fromAddress: true, toAddress: true, value: true, status: true },
  });
  return { rows: rows.slice(0, first), hasMore: rows.length > first };
}

function afterPosition({ createdAt, txHash, logIndex }: TransferFeedPosition) {
  return {
    OR: [{ createdAt: { gt: createdAt } }, { createdAt, txHash: { gt: txHash } }, { createdAt, txHash, logIndex: { gt: logIndex } }],
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

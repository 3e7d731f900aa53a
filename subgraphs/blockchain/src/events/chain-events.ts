import type { MevKind, MevRole } from '../analysis/mev';
import type { EventBus } from '@supergraph/pubsub';

/** A block the follower added to the canonical chain. */
export const NEW_BLOCK = 'blockchain.newBlock';
/** A $FORGE Transfer log: when first seen (PENDING), once confirmed, and if a reorg removes it. */
export const TOKEN_TRANSFER = 'blockchain.tokenTransfer';

export interface NewBlockEvent {
  chainId: number;
  number: number;
  hash: string;
  parentHash: string;
  /** ISO 8601. */
  timestamp: string;
  transactionCount: number;
}

/** A MEV pattern found in a block the follower added (not repeated when the block is reorged out: the finding is deleted). */
export const MEV_DETECTED = 'blockchain.mevDetected';

export interface MevDetectedEvent {
  chainId: number;
  blockNumber: number;
  blockHash: string;
  kind: MevKind;
  /** Lower-case hex. */
  attacker: string;
  victim: string | null;
  pool: string | null;
  transactions: { hash: string; role: MevRole }[];
  /** Base units of `profitToken`, a decimal string. */
  profit: string | null;
  profitToken: string | null;
}

export type TransferStatus = 'PENDING' | 'CONFIRMED' | 'REMOVED';

/**
 * What the payments subgraph confirms token payments from. (txHash, logIndex) identifies a transfer;
 * the same transfer is published again when its status changes, never twice with the same status
 * (short of a crash between publishing and recording it: consumers dedupe on the triple).
 */
export interface TokenTransferEvent {
  chainId: number;
  /** The $FORGE contract, checksummed. */
  token: string;
  txHash: string;
  logIndex: number;
  /** Lower-case hex. */
  from: string;
  /** Lower-case hex. */
  to: string;
  /** Base units (18 decimals) as a decimal string. */
  value: string;
  blockNumber: number;
  blockHash: string;
  /** Blocks on top of the transfer's, its own included; 0 once REMOVED. */
  confirmations: number;
  status: TransferStatus;
}

export const publishNewBlock = (events: EventBus, event: NewBlockEvent) => events.publish(NEW_BLOCK, event);
export const publishTokenTransfer = (events: EventBus, event: TokenTransferEvent) => events.publish(TOKEN_TRANSFER, event);
export const publishMevDetected = (events: EventBus, event: MevDetectedEvent) => events.publish(MEV_DETECTED, event);

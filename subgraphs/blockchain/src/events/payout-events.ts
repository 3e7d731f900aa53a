/**
 * The unstake payout conversation with the payments subgraph. Payments asks (through its outbox,
 * and again through the service-only `requestPayout` mutation until the payout is CONFIRMED);
 * this subgraph pays and reports back through its own outbox.
 */

/** Payments debited an unstake from its ledger: pay `amount` to `to` from the treasury, once per `entryId`. */
export const UNSTAKE_REQUESTED = 'payments.unstakeRequested';
/** The payout transfer is BLOCKCHAIN_CONFIRMATIONS deep. */
export const PAYOUT_CONFIRMED = 'blockchain.payoutConfirmed';

export interface UnstakeRequested {
  userId: string;
  /** $FORGE base units, a decimal string. */
  amount: string;
  /** The payments stake entry id: the payout's idempotency key. */
  entryId: string;
  /** The wallet payments chose when the unstake committed. */
  to: string;
}

export interface PayoutConfirmed {
  entryId: string;
  txHash: string;
  /** Lower-case hex. */
  to: string;
  amount: string;
  blockNumber: number;
}

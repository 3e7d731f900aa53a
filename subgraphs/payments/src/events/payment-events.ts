/**
 * Events payments publishes through its outbox (relayed to the event bus after commit; each
 * delivery is wrapped in an OutboxEnvelope whose `id` consumers dedupe on).
 */
export const PAYMENT_UPDATED = 'payments.paymentUpdated';
export const PLAN_CHANGED = 'payments.planChanged';
export const STAKE_CHANGED = 'payments.stakeChanged';
/** An unstake debited the ledger: the blockchain subgraph pays `amount` back from the treasury to `to`. */
export const UNSTAKE_REQUESTED = 'payments.unstakeRequested';
/** Published by the blockchain subgraph once an unstake's payout transfer is confirmed on chain. */
export const PAYOUT_CONFIRMED = 'blockchain.payoutConfirmed';

export interface PaymentUpdated {
  id: string;
  userId: string;
  status: string;
  method: string;
  amount: string;
  currency: string;
}

export interface StakeChanged {
  userId: string;
  staked: string;
  /** Positive for a stake, negative for an unstake. */
  change: string;
}

export interface UnstakeRequested {
  userId: string;
  /** FORGE base units, positive. */
  amount: string;
  /** The stake entry: what the blockchain subgraph pays once. */
  entryId: string;
  /** The wallet paid, chosen when the unstake committed (lower-case hex). */
  to: string;
}

/** What the blockchain subgraph reports for a paid unstake. */
export interface PayoutConfirmed {
  entryId: string;
  txHash: string;
  to: string;
  amount: string;
  blockNumber: number;
}

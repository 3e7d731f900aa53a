/**
 * Events payments publishes through its outbox (relayed to the event bus after commit; each
 * delivery is wrapped in an OutboxEnvelope whose `id` consumers dedupe on).
 */
export const PAYMENT_UPDATED = 'payments.paymentUpdated';
export const PLAN_CHANGED = 'payments.planChanged';
export const STAKE_CHANGED = 'payments.stakeChanged';
/** An unstake debited the ledger: the blockchain subgraph pays `amount` back from the treasury. */
export const UNSTAKE_REQUESTED = 'payments.unstakeRequested';

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

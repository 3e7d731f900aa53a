/**
 * The unstake payout conversation with the payments subgraph. Payments asks through the
 * service-only `requestPayout` mutation (signed: only services can ask; payments' own
 * `payments.unstakeRequested` event is not acted on, since anyone who can publish on Redis could
 * forge one), when the unstake commits and again until the payout is CONFIRMED; this subgraph
 * pays and reports back through its own outbox.
 */

/** The payout transfer is BLOCKCHAIN_CONFIRMATIONS deep. */
export const PAYOUT_CONFIRMED = 'blockchain.payoutConfirmed';

export interface PayoutConfirmed {
  entryId: string;
  txHash: string;
  /** Lower-case hex. */
  to: string;
  amount: string;
  blockNumber: number;
}

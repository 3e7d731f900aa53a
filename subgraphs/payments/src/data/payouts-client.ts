import { callService } from '@supergraph/subgraph';

/** A treasury payout as the blockchain subgraph reports it. */
export interface PayoutState {
  /** PENDING, SENT, CONFIRMED (paid and deep enough) or FAILED (reverted: nothing paid). */
  status: string;
  txHash: string | null;
}

/**
 * The blockchain subgraph, as staking needs it: have an unstake paid from the treasury. It pays
 * each entry id once however often it is asked, so asking again is how payments catches up on an
 * event it missed or one the blockchain subgraph missed while it was down.
 */
export interface PayoutsClient {
  requestPayout(request: { entryId: string; to: string; amount: string }): Promise<PayoutState>;
}

export class HttpPayoutsClient implements PayoutsClient {
  constructor(
    private readonly url: string,
    private readonly signingSecret: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async requestPayout(request: { entryId: string; to: string; amount: string }): Promise<PayoutState> {
    const data = await callService<{ requestPayout: PayoutState }>(
      { url: this.url, signingSecret: this.signingSecret, timeoutMs: this.timeoutMs, name: 'blockchain' },
      'mutation ($entryId: ID!, $to: String!, $amount: String!) { requestPayout(entryId: $entryId, to: $to, amount: $amount) { status txHash } }',
      request,
    );
    return data.requestPayout;
  }
}

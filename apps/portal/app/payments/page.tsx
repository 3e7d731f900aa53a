import { randomUUID } from 'node:crypto';
import { PortalPaymentsDocument, PortalPaymentUpdatedDocument, PortalTreasuryDocument, type PaymentStatus } from '../../../../clients/generated/graphql';
import { ActionForm } from '../../src/action-form';
import { CARD_CURRENCIES } from '../../src/amounts';
import { CARDS } from '../../src/cards';
import { Unavailable } from '../../src/deferred-part';
import { ErrorList } from '../../src/error-list';
import { messagesFor } from '../../src/error-messages';
import { formatForge } from '../../src/forge';
import { ListTable } from '../../src/list-table';
import { LivePayments } from '../../src/live-payments';
import { liveOperation } from '../../src/live-operation';
import { execute } from '../../src/router';
import { requireViewer } from '../../src/viewer';
import { payByCard, payWithToken, stake, unstake } from './actions';

/** What a payment's status means to the payer, said once it is made (or back from 3-D Secure). */
const OUTCOMES: Record<PaymentStatus, string> = {
  SUCCEEDED: 'Your payment succeeded.',
  PENDING: 'Your payment is waiting to be confirmed; its status below changes when it is.',
  REVIEW: 'Your payment is held for a review before anything is charged.',
  FAILED: 'Your payment failed; nothing was charged.',
  REFUNDED: 'Your payment was refunded.',
};

/** Why a payment failed, for the reasons people can act on (Stripe's codes); others show none. */
const FAILURE_REASONS: Record<string, string> = {
  card_declined: 'The card was declined.',
  payment_intent_authentication_failure: 'The card holder did not complete the 3-D Secure check.',
  rejected_in_review: 'It was rejected in review.',
  abandoned: 'The 3-D Secure check was not completed in time.',
};

const TxHashField = () => (
  <label>
    Transaction hash
    <input name="txHash" required pattern="0x[0-9a-fA-F]{64}" placeholder="0x…" />
  </label>
);

/** Each form's idempotency key, new with each render: a form sent twice (a double click, a retry) pays once. */
const IdempotencyKey = () => <input type="hidden" name="idempotencyKey" value={randomUUID()} />;

/** Your payments (card and $FORGE), a card payment with 3-D Secure, a token payment, and staking. */
export default async function PaymentsPage({ searchParams }: { searchParams: Promise<{ payment?: string | string[] }> }) {
  const { token } = await requireViewer();
  const [{ payment: shown }, result, treasury] = await Promise.all([
    searchParams,
    execute(PortalPaymentsDocument, {}, token),
    execute(PortalTreasuryDocument, {}, token),
  ]);
  const me = result.data?.me;
  const payments = me?.payments;
  const made = payments?.find((payment) => payment.id === shown);
  const treasuryAddress = treasury.data?.chainStatus?.treasury;
  const stakingHistory = result.data?.stakingHistory;
  return (
    <>
      <h1>Payments</h1>
      {made && (
        <p role="status" className="notice" data-testid="payment-outcome">
          {[OUTCOMES[made.status], made.status === 'FAILED' && made.failureReason ? FAILURE_REASONS[made.failureReason] : undefined].filter(Boolean).join(' ')}
        </p>
      )}
      <section className="narrow">
        <h2>Pay by card</h2>
        <ActionForm action={payByCard} submitLabel="Pay" pendingLabel="Paying…">
          <IdempotencyKey />
          <label>
            Amount
            <input name="amount" required inputMode="decimal" pattern="\d+(\.\d{1,2})?" placeholder="19.99" />
          </label>
          <label>
            Currency
            <select name="currency" defaultValue="USD">
              {Object.keys(CARD_CURRENCIES).map((currency) => (
                <option key={currency}>{currency}</option>
              ))}
            </select>
          </label>
          <label>
            Card
            <select name="card" defaultValue={CARDS[0].paymentMethod}>
              {CARDS.map((card) => (
                <option key={card.paymentMethod} value={card.paymentMethod}>
                  {card.label}
                </option>
              ))}
            </select>
          </label>
        </ActionForm>
      </section>

      <h2>History</h2>
      {payments ? (
        <LivePayments payments={payments} live={liveOperation(PortalPaymentUpdatedDocument, {})} />
      ) : (
        <ErrorList messages={messagesFor(result.errors)} />
      )}

      <section className="narrow">
        <h2>Pay with $FORGE</h2>
        <p>
          Send the amount to the treasury
          {treasuryAddress ? (
            <>
              {' '}
              (<code data-testid="treasury">{treasuryAddress}</code>)
            </>
          ) : null}{' '}
          from a wallet linked to you, then name the transaction: the payment succeeds once the chain confirms it.
        </p>
        {!treasuryAddress && <Unavailable what="The treasury's address" errors={messagesFor(treasury.errors)} />}
        <ActionForm action={payWithToken} submitLabel="Pay with $FORGE" pendingLabel="Paying…">
          <IdempotencyKey />
          <label>
            Amount ($FORGE)
            <input name="amount" required inputMode="decimal" placeholder="100" />
          </label>
          <TxHashField />
        </ActionForm>
      </section>

      <h2>Staking</h2>
      {me && me.stakedForge !== null && me.stakedForge !== undefined ? (
        <dl className="facts">
          <dt>Staked</dt>
          <dd data-testid="staked">{formatForge(me.stakedForge)}</dd>
          <dt>Fee reduction</dt>
          <dd data-testid="fee-discount">{me.feeDiscount ?? 0} %</dd>
        </dl>
      ) : (
        <ErrorList messages={messagesFor(result.errors)} />
      )}
      <div className="columns">
        <section className="narrow">
          <h3>Stake</h3>
          <ActionForm action={stake} submitLabel="Stake" pendingLabel="Staking…">
            <IdempotencyKey />
            <label>
              Amount ($FORGE) sent to the treasury
              <input name="amount" required inputMode="decimal" placeholder="1000" />
            </label>
            <TxHashField />
          </ActionForm>
        </section>
        <section className="narrow">
          <h3>Unstake</h3>
          <ActionForm action={unstake} submitLabel="Unstake" pendingLabel="Unstaking…">
            <IdempotencyKey />
            <label>
              Amount ($FORGE), paid back to your first linked wallet
              <input name="amount" required inputMode="decimal" placeholder="1000" />
            </label>
          </ActionForm>
        </section>
      </div>
      {!stakingHistory && <Unavailable what="Your staking ledger" errors={messagesFor(result.errors)} />}
      {stakingHistory && stakingHistory.length > 0 && (
        <>
          <h3>Ledger</h3>
          <ListTable label="Staking ledger" columns={['Date', 'Amount', 'Payout']}>
            {stakingHistory.map((entry) => (
              <tr key={entry.id} data-entry={entry.id}>
                <td>{new Date(entry.createdAt).toLocaleString('en')}</td>
                <td data-testid="entry-amount">{entry.amount.startsWith('-') ? `−${formatForge(entry.amount.slice(1))}` : formatForge(entry.amount)}</td>
                <td>
                  <span data-testid="payout-status">{entry.payoutStatus ?? '–'}</span>{' '}
                  {entry.payoutTxHash ? <code title={entry.payoutTxHash}>{entry.payoutTxHash.slice(0, 10)}…</code> : null}
                </td>
              </tr>
            ))}
          </ListTable>
        </>
      )}
    </>
  );
}

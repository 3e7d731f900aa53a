'use client';
import { useEffect, useState } from 'react';
import type { PaymentStatus, PortalPaymentFragment, PortalPaymentUpdatedSubscription } from '../../../clients/generated/graphql';
import { formatAmount } from './amounts';
import { LiveBadge, useLiveSubscription, type LiveOperation } from './live';
import { ListTable } from './list-table';

/**
 * How settled a status is. PENDING and REVIEW may follow each other (a held payment released), so
 * between them the latest word counts; a settled payment never goes back to either, however late
 * an event arrives, and a refund outranks the success it undoes.
 */
const SETTLED: Record<PaymentStatus, number> = { PENDING: 0, REVIEW: 0, SUCCEEDED: 1, FAILED: 2, REFUNDED: 2 };

function merge(payments: ReadonlyMap<string, PortalPaymentFragment>, payment: PortalPaymentFragment): Map<string, PortalPaymentFragment> {
  const next = new Map(payments);
  const known = payments.get(payment.id);
  if (!known || SETTLED[payment.status] >= SETTLED[known.status]) next.set(payment.id, payment);
  return next;
}

/**
 * Your payments, newest first: the page's server renders them, and paymentUpdated events change
 * them in place — a card payment settled by Stripe's webhook, a $FORGE transfer confirmed — and add
 * the ones made elsewhere, without a reload.
 */
export function LivePayments({ payments, live }: { payments: PortalPaymentFragment[]; live: LiveOperation<PortalPaymentUpdatedSubscription> }) {
  const [views, setViews] = useState(() => payments.reduce<Map<string, PortalPaymentFragment>>(merge, new Map()));
  // The server renders the list again after a form's action: take in what it knows.
  useEffect(() => setViews((current) => payments.reduce(merge, current)), [payments]);
  const state = useLiveSubscription(live, (data) => setViews((current) => merge(current, data.paymentUpdated)));

  const rows = [...views.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <>
      <LiveBadge state={state} />
      {rows.length === 0 ? (
        <p>No payments yet.</p>
      ) : (
        <ListTable label="Payments" columns={['Date', 'Amount', 'Method', 'For', 'Status']}>
          {rows.map((payment) => (
            <tr key={payment.id} data-payment={payment.id}>
              <td>{new Date(payment.createdAt).toLocaleString('en')}</td>
              <td data-testid="payment-amount">{formatAmount(payment.amount, payment.currency)}</td>
              <td>{payment.method === 'FIAT' ? 'Card' : '$FORGE'}</td>
              <td>{payment.purpose}</td>
              <td>
                <span data-testid="payment-status" title={payment.failureReason ?? undefined}>
                  {payment.status}
                </span>
                {payment.nextAction?.redirectUrl ? (
                  <>
                    {' '}
                    {/* The issuer's page, as after paying: it sends the holder back to /payments/return. */}
                    <a href={payment.nextAction.redirectUrl}>Authenticate</a>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </ListTable>
      )}
    </>
  );
}

import type { NextRequest } from 'next/server';
import { PortalPaymentsDocument } from '../../../../../clients/generated/graphql';
import { execute } from '../../../src/router';
import { sessionToken } from '../../../src/session';

/** How long the return waits for Stripe's webhook to settle the payment before showing it as it stands. */
const SETTLE_WAIT_MS = 10_000;
const SETTLE_POLL_MS = 500;

const seeOther = (location: string) => new Response(null, { status: 303, headers: { location } });

/**
 * Where the card's issuer sends the holder back after 3-D Secure (the payment's returnUrl), with
 * Stripe's `payment_intent`. What `redirect_status` says is not proof: the payment's status, which
 * only Stripe's signed webhook moves, is asked of the router — for up to SETTLE_WAIT_MS while the
 * webhook may still be on its way — and the history then shows it.
 */
export async function GET(request: NextRequest): Promise<Response> {
  const token = await sessionToken();
  if (!token) return seeOther('/login');
  const intent = request.nextUrl.searchParams.get('payment_intent');
  const deadline = Date.now() + SETTLE_WAIT_MS;
  for (;;) {
    const result = await execute(PortalPaymentsDocument, {}, token);
    const payment = intent ? result.data?.me?.payments?.find((candidate) => candidate.providerReference === intent) : undefined;
    if (!payment) return seeOther('/payments');
    if (payment.status !== 'PENDING' || Date.now() >= deadline) return seeOther(`/payments?payment=${encodeURIComponent(payment.id)}`);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}

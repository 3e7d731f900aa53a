import { randomUUID } from 'node:crypto';
import { bearer, graphql } from '@supergraph/testing';
import type { PaymentsHarness } from '@supergraph/payments/test/harness';
import { register, type Account } from './accounts';

/** A card payment as `createPayment` answers it through the router. */
export interface CardPayment {
  id: string;
  amount: string;
  status: string;
  providerReference: string | null;
  failureReason: string | null;
}

/** The selection that reads a CardPayment, for any mutation that answers a Payment. */
export const CARD_PAYMENT_FIELDS = 'id amount status providerReference failureReason';

const PAY_BY_CARD = `mutation ($amount: String!, $key: String!, $pm: String) {
  createPayment(amount: $amount, currency: "USD", idempotencyKey: $key, paymentMethod: $pm) { ${CARD_PAYMENT_FIELDS} }
}`;

/** Pays `amount` US cents by card (a Stripe test PaymentMethod) through the router at `url` as the holder of `token`, under a new idempotency key. */
export async function payByCard(url: string, token: string, amount: string, paymentMethod = 'pm_card_visa'): Promise<CardPayment> {
  const response = await graphql<{ createPayment: CardPayment }>(url, PAY_BY_CARD, { amount, key: randomUUID(), pm: paymentMethod }, bearer(token));
  if (response.errors || !response.data) throw new Error(`paying ${amount} with ${paymentMethod} failed: ${JSON.stringify(response.errors)}`);
  return response.data.createPayment;
}

/**
 * What a fraud model should find risky from a brand-new account: `small` small payments in a burst,
 * two in three declined, then 999,999.99 USD. Every payment made, the huge one last.
 */
export async function riskyBurst(url: string, token: string, small: number): Promise<CardPayment[]> {
  const made: CardPayment[] = [];
  for (let i = 0; i < small; i++) made.push(await payByCard(url, token, String(100 + i), i % 3 === 0 ? 'pm_card_visa' : 'pm_card_chargeDeclined'));
  made.push(await payByCard(url, token, '99999999'));
  return made;
}

/** An account registered through the router and dated 400 days back in the users database (a test cannot wait that long): an established customer. */
export async function establishedCustomer(url: string, users: PaymentsHarness['users'], email: string): Promise<Account> {
  const account = await register(url, email);
  await users.database.prisma.user.update({ where: { id: account.userId }, data: { createdAt: new Date(Date.now() - 400 * 86_400_000) } });
  return account;
}

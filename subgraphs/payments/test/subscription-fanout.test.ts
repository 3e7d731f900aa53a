import { randomUUID } from 'node:crypto';
import { asRouter, subscribeMany } from '@supergraph/testing';
import { startPaymentsHarness, userIdentity, type PaymentsHarness } from './harness';

/** One payment event reaching many subscriptions costs the queries of one, not one per subscription. */
let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsHarness();
});
afterAll(() => h?.stop());

// pm_card_async stays PENDING with no webhook to follow: each payment announces itself once, and
// nothing runs in the background while statements are counted.
const CREATE = `mutation ($key: String!) { createPayment(amount: "1999", currency: "USD", idempotencyKey: $key, paymentMethod: "pm_card_async") { id } }`;
type PaymentUpdated = { paymentUpdated: { id: string; status: string; amount: string } };

it('loads the payment once per event, however many subscriptions receive it', async () => {
  const payer = userIdentity(randomUUID());
  const bystander = userIdentity(randomUUID());
  const subscriptions = subscribeMany<PaymentUpdated>(h.url, asRouter(payer, h.config.routerSigningSecret), {
    query: 'subscription { paymentUpdated { id status amount } }',
  });
  const pay = async (identity: typeof payer) => {
    const response = await h.call<{ createPayment: { id: string } }>(CREATE, { key: randomUUID() }, identity);
    expect(response.errors).toBeUndefined();
    const id = response.data!.createPayment.id;
    return (data: PaymentUpdated) => data.paymentUpdated.id === id;
  };
  try {
    await subscriptions.untilLive(() => pay(payer));
    const withoutSubscribers = await count(() => pay(bystander));
    const withSubscribers = await count(async () => subscriptions.everyoneSees(await pay(payer), 10_000));
    expect(withSubscribers.result).toBe(true);
    expect(subscriptions.received.map((results) => results.at(-1))).toEqual(
      Array.from({ length: 20 }, () => ({
        data: { paymentUpdated: { id: expect.any(String), status: 'PENDING', amount: '1999' } },
        extensions: { position: expect.stringMatching(/^\d+-\d+$/) },
      })),
    );
    // The event's own load, shared by all 20: the payment.
    expect(withSubscribers.count).toBe(withoutSubscribers.count + 1);
  } finally {
    await subscriptions.dispose();
  }
});

/** Runs `work` and counts the SQL statements the payments subgraph sent meanwhile. */
async function count<T>(work: () => Promise<T>): Promise<{ result: T; count: number }> {
  const before = h.subgraph.database.sqlStatements();
  const result = await work();
  return { result, count: h.subgraph.database.sqlStatements() - before };
}

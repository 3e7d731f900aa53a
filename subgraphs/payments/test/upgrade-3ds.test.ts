import { randomUUID } from 'node:crypto';
import { errorCodes } from '@supergraph/testing';
import { AWAITING_CHARGE } from '../src/saga/upgrade-plan';
import { startPaymentsHarness, userIdentity, type PaymentsHarness } from './harness';

/**
 * Cards that need 3-D Secure. upgradePlan with such a card: the saga parks until Stripe's signed webhook says
 * how the authentication went, then completes or fails; one left waiting too long is canceled at
 * Stripe and compensated. A plain createPayment waits the same way, showing the payer what to do.
 * Real Postgres, the Stripe SDK against the local Stripe, a real users subgraph.
 */
let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsHarness({ env: { UPGRADE_CHARGE_TIMEOUT_SECONDS: '600' } });
});
afterAll(() => h?.stop());

const THREE_D_SECURE_CARD = 'pm_card_threeDSecure2Required';
const UPGRADE = `mutation ($tier: Tier!, $key: String!, $pm: String) {
  upgradePlan(tier: $tier, idempotencyKey: $key, paymentMethod: $pm) {
    id tier status error payment { id status providerReference failureReason } nextAction { type clientSecret redirectUrl }
  }
}`;
type Upgrade = {
  id: string;
  tier: string;
  status: string;
  error: string | null;
  payment: { id: string; status: string; providerReference: string; failureReason: string | null };
  nextAction: { type: string; clientSecret: string; redirectUrl: string | null } | null;
};
type Identity = Awaited<ReturnType<PaymentsHarness['register']>>['identity'];

async function upgrade(identity: Identity, key = randomUUID(), pm = THREE_D_SECURE_CARD, tier = 'PRO') {
  return h.call<{ upgradePlan: Upgrade }>(UPGRADE, { tier, key, pm }, identity);
}

/** A user whose PRO upgrade is waiting for 3-D Secure. */
async function waitingUpgrade() {
  const { userId, identity } = await h.register();
  const key = randomUUID();
  const response = await upgrade(identity, key);
  expect(response.errors).toBeUndefined();
  const pending = response.data!.upgradePlan;
  return { userId, identity, key, pending, intentId: pending.payment.providerReference };
}

const sagaOf = (id: string) => h.prisma.upgradeSaga.findUniqueOrThrow({ where: { id } });
const paymentOf = (id: string) => h.prisma.payment.findUniqueOrThrow({ where: { id } });
const planOf = async (userId: string) => (await h.prisma.paymentAccount.findUnique({ where: { userId } }))?.planTier ?? 'FREE';
const afterTimeout = () => new Date(Date.now() + h.config.payments.upgradeChargeTimeoutMs + 1_000);

test('a card that needs 3-D Secure: the payment is PENDING with the next action, and authenticating completes the upgrade', async () => {
  const { userId, identity, key, pending, intentId } = await waitingUpgrade();
  const intent = h.stripe.intents.get(intentId)!;
  expect(pending).toMatchObject({ tier: 'PRO', status: 'RUNNING', error: null, payment: { status: 'PENDING' } });
  expect(pending.nextAction).toEqual({ type: 'use_stripe_sdk', clientSecret: intent.client_secret, redirectUrl: null });
  expect(intent.status).toBe('requires_action');
  expect((await sagaOf(pending.id)).step).toBe(AWAITING_CHARGE);
  expect(await h.tierOf(userId)).toBe('FREE');

  // Idempotency holds while it waits: the same key answers the same pending result, charges nothing more.
  const again = await upgrade(identity, key);
  expect(again.data!.upgradePlan).toEqual(pending);
  expect([...h.stripe.intents.values()].filter((i) => i.metadata.userId === userId)).toHaveLength(1);
  // And it is the user's one upgrade in progress.
  expect(errorCodes(await upgrade(identity, randomUUID(), 'pm_card_visa', 'ENTERPRISE'))).toEqual(['UPGRADE_IN_PROGRESS']);

  await h.stripe.authenticate(intentId, 'succeeded');

  expect(await sagaOf(pending.id)).toMatchObject({ status: 'COMPLETED', step: 'CONFIRMED', error: null });
  expect(await paymentOf(pending.payment.id)).toMatchObject({ status: 'SUCCEEDED' });
  expect(await h.tierOf(userId)).toBe('PRO');
  expect(await planOf(userId)).toBe('PRO');
  expect(h.stripe.intents.get(intentId)).toMatchObject({ status: 'succeeded', amount_refunded: 0 });
  const planChanged = await h.prisma.outboxEvent.findMany({ where: { channel: 'payments.planChanged' } });
  expect(planChanged.filter((event) => (event.payload as { sagaId: string }).sagaId === pending.id)).toHaveLength(1);
  // The key still answers what it answered first; the outcome is on the payment and paymentUpdated.
  expect((await upgrade(identity, key)).data!.upgradePlan).toEqual(pending);
});

test('a failed authentication fails the upgrade and leaves the tier as it was', async () => {
  const { userId, pending, intentId } = await waitingUpgrade();

  await h.stripe.authenticate(intentId, 'failed');

  expect(await sagaOf(pending.id)).toMatchObject({ status: 'FAILED', error: 'charge failed: payment_intent_authentication_failure' });
  expect(await paymentOf(pending.payment.id)).toMatchObject({ status: 'FAILED', failureReason: 'payment_intent_authentication_failure' });
  expect(await h.tierOf(userId)).toBe('FREE');
  expect(await planOf(userId)).toBe('FREE');
  expect(h.stripe.intents.get(intentId)!.latest_charge).toBeNull();
});

test('a saga waiting past the timeout is canceled at Stripe and compensated; the user may try again', async () => {
  const { userId, identity, pending, intentId } = await waitingUpgrade();

  // Before the timeout recovery leaves it waiting.
  await h.subgraph.services.upgrades.recover(0);
  expect(await sagaOf(pending.id)).toMatchObject({ status: 'RUNNING', step: AWAITING_CHARGE });

  expect(await h.subgraph.services.upgrades.recover(0, afterTimeout())).toBeGreaterThanOrEqual(1);

  const saga = await sagaOf(pending.id);
  expect(saga.status).toBe('FAILED');
  expect(saga.error).toMatch(/^charge not completed within 600 s/);
  expect(await paymentOf(pending.payment.id)).toMatchObject({ status: 'FAILED', failureReason: 'abandoned' });
  expect(h.stripe.intents.get(intentId)).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned', latest_charge: null });
  expect(await h.tierOf(userId)).toBe('FREE');
  // The challenge can no longer be completed, and the user is free to upgrade again.
  await expect(h.stripe.authenticate(intentId, 'succeeded')).rejects.toThrow(/canceled/);
  const retry = await upgrade(identity, randomUUID(), 'pm_card_visa');
  expect(retry.data!.upgradePlan).toMatchObject({ status: 'COMPLETED', nextAction: null });
});

test('the outcome webhook replayed twice changes nothing', async () => {
  const { userId, pending, intentId } = await waitingUpgrade();
  const event = await h.stripe.authenticate(intentId, 'succeeded');
  expect(event.type).toBe('payment_intent.succeeded');
  const snapshot = async () => ({
    saga: await sagaOf(pending.id),
    payment: await paymentOf(pending.payment.id),
    paymentEvents: await h.prisma.paymentEvent.count({ where: { paymentId: pending.payment.id } }),
    outbox: (await h.prisma.outboxEvent.findMany()).filter((row) => [pending.id, pending.payment.id].some((id) => JSON.stringify(row.payload).includes(id)))
      .length,
    tier: await h.tierOf(userId),
    intent: { ...h.stripe.intents.get(intentId)! },
  });
  const before = await snapshot();
  expect(before.saga.status).toBe('COMPLETED');

  expect(await h.stripe.deliver(event)).toBe(200);
  expect(await h.stripe.deliver(event)).toBe(200);

  expect(await snapshot()).toEqual(before);
});

test('authentication racing the timeout: exactly one wins, never a half state', async () => {
  const { userId, pending, intentId } = await waitingUpgrade();

  await Promise.allSettled([h.stripe.authenticate(intentId, 'succeeded'), h.subgraph.services.upgrades.recover(0, afterTimeout())]);

  const saga = await sagaOf(pending.id);
  const payment = await paymentOf(pending.payment.id);
  const intent = h.stripe.intents.get(intentId)!;
  if (saga.status === 'COMPLETED') {
    expect(payment.status).toBe('SUCCEEDED');
    expect(intent).toMatchObject({ status: 'succeeded', amount_refunded: 0 });
    expect(await h.tierOf(userId)).toBe('PRO');
  } else {
    // Canceled before the card holder finished, or refunded because the timeout won the claim.
    expect(['FAILED', 'COMPENSATED']).toContain(saga.status);
    expect(['FAILED', 'REFUNDED']).toContain(payment.status);
    expect(intent.status === 'canceled' || intent.amount_refunded === intent.amount).toBe(true);
    expect(await h.tierOf(userId)).toBe('FREE');
  }
});

test('createPayment with a card that needs 3-D Secure: PENDING with the next action for the payer alone, then SUCCEEDED once authenticated', async () => {
  const { userId, identity } = await h.register();
  const CREATE = `mutation ($key: String!, $pm: String) {
    createPayment(amount: "4200", currency: "USD", idempotencyKey: $key, paymentMethod: $pm) { id status providerReference nextAction { type clientSecret } }
  }`;
  const created = await h.call<{
    createPayment: { id: string; status: string; providerReference: string; nextAction: { type: string; clientSecret: string } | null };
  }>(CREATE, { key: randomUUID(), pm: THREE_D_SECURE_CARD }, identity);
  expect(created.errors).toBeUndefined();
  const payment = created.data!.createPayment;
  const intent = h.stripe.intents.get(payment.providerReference)!;
  expect(payment).toMatchObject({ status: 'PENDING', nextAction: { type: 'use_stripe_sdk', clientSecret: intent.client_secret } });

  // The client secret completes the payment: an admin who may read the payment does not get it.
  const PAYMENT = 'query ($id: ID!) { payment(id: $id) { status nextAction { clientSecret } } }';
  const asAdmin = await h.call<{ payment: { status: string; nextAction: unknown } }>(PAYMENT, { id: payment.id }, userIdentity(randomUUID(), ['ADMIN']));
  expect(asAdmin.data!.payment).toEqual({ status: 'PENDING', nextAction: null });

  await h.stripe.authenticate(payment.providerReference, 'succeeded');
  const settled = await h.call<{ payment: { status: string; nextAction: unknown } }>(PAYMENT, { id: payment.id }, identity);
  expect(settled.data!.payment).toEqual({ status: 'SUCCEEDED', nextAction: null });
  expect(await paymentOf(payment.id)).toMatchObject({ userId, status: 'SUCCEEDED' });
});

test('createPayment with a returnUrl: the 3-D Secure challenge is a redirect to the issuer’s page, which sends the holder back once Stripe’s webhook settled the payment', async () => {
  const { identity } = await h.register();
  const CREATE = `mutation ($key: String!, $pm: String, $returnUrl: String) {
    createPayment(amount: "1500", currency: "JPY", idempotencyKey: $key, paymentMethod: $pm, returnUrl: $returnUrl) { id status providerReference nextAction { type redirectUrl } }
  }`;
  type Created = { createPayment: { id: string; status: string; providerReference: string; nextAction: { type: string; redirectUrl: string | null } | null } };
  const refused = await h.call(CREATE, { key: randomUUID(), pm: THREE_D_SECURE_CARD, returnUrl: 'javascript:alert(1)' }, identity);
  expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);

  const returnUrl = 'https://portal.example/payments/return?from=checkout';
  const created = await h.call<Created>(CREATE, { key: randomUUID(), pm: THREE_D_SECURE_CARD, returnUrl }, identity);
  expect(created.errors).toBeUndefined();
  const payment = created.data!.createPayment;
  expect(payment).toMatchObject({ status: 'PENDING', nextAction: { type: 'redirect_to_url', redirectUrl: expect.stringMatching(/^http:\/\//) } });
  const challenge = new URL(payment.nextAction!.redirectUrl!);
  expect((await fetch(challenge)).status).toBe(200);
  // The link stands for the card holder only with the intent's client secret.
  expect((await fetch(new URL(challenge.pathname, challenge))).status).toBe(404);

  const answer = await fetch(challenge, {
    method: 'POST',
    body: new URLSearchParams({ client_secret: challenge.searchParams.get('client_secret')!, outcome: 'succeeded' }),
    redirect: 'manual',
  });
  expect(answer.status).toBe(303);
  const back = new URL(answer.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe('https://portal.example/payments/return');
  expect(Object.fromEntries(back.searchParams)).toMatchObject({ from: 'checkout', payment_intent: payment.providerReference, redirect_status: 'succeeded' });
  // Back at the return URL the webhook has been answered: the payment is decided.
  expect(await paymentOf(payment.id)).toMatchObject({ status: 'SUCCEEDED' });
});

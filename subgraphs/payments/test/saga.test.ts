import { randomUUID } from 'node:crypto';
import { errorCodes } from '@supergraph/testing';
import { SagaCrash, type SagaStep } from '../src/saga/upgrade-plan';
import { startPaymentsHarness, type PaymentsHarness } from './harness';

// Failure injection through the saga's constructor (PaymentsDependencies.sagaFaults), never the environment.
const faults: { step?: SagaStep; alsoFail?: SagaStep; crash?: boolean } = {};
let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsHarness({
    dependencies: {
      sagaFaults: {
        before: (step) => {
          if (step !== faults.step && step !== faults.alsoFail) return;
          throw faults.crash ? new SagaCrash(`crashed before ${step}`) : new Error(`injected failure at ${step}`);
        },
      },
    },
  });
});
afterAll(() => h?.stop());
afterEach(() => {
  delete faults.step;
  delete faults.alsoFail;
  delete faults.crash;
});

const UPGRADE = `mutation ($tier: Tier!, $key: String!, $pm: String) {
  upgradePlan(tier: $tier, idempotencyKey: $key, paymentMethod: $pm) { id tier status error payment { id amount currency status providerReference purpose } }
}`;
type Upgrade = {
  id: string;
  tier: string;
  status: string;
  error: string | null;
  payment: { id: string; amount: string; currency: string; status: string; providerReference: string | null; purpose: string };
};

async function upgrade(identity: Awaited<ReturnType<PaymentsHarness['register']>>['identity'], tier = 'PRO', key = randomUUID(), pm?: string) {
  return h.call<{ upgradePlan: Upgrade }>(UPGRADE, { tier, key, ...(pm ? { pm } : {}) }, identity);
}

/** Nothing half done: user on their old tier, no plan recorded, no charge kept, saga finished. */
async function expectNoHalfState(userId: string, sagaStatus: string[], paymentStatus: string[]) {
  expect(await h.tierOf(userId)).toBe('FREE');
  const account = await h.prisma.paymentAccount.findUnique({ where: { userId } });
  expect(account?.planTier ?? 'FREE').toBe('FREE');
  const sagas = await h.prisma.upgradeSaga.findMany({ where: { userId } });
  expect(sagas).toHaveLength(1);
  expect(sagaStatus).toContain(sagas[0]!.status);
  const payment = await h.prisma.payment.findUniqueOrThrow({ where: { id: sagas[0]!.paymentId } });
  expect(paymentStatus).toContain(payment.status);
  // Stripe agrees: any charge is refunded in full.
  for (const intent of [...h.stripe.intents.values()].filter((i) => i.metadata.paymentId === payment.id)) {
    if (intent.status === 'succeeded') expect(intent.amount_refunded).toBe(intent.amount);
  }
}

describe('upgradePlan saga', () => {
  it('charges, changes the tier in the users subgraph, then confirms', async () => {
    const { userId, identity } = await h.register();
    const response = await upgrade(identity, 'PRO');
    expect(response.errors).toBeUndefined();
    expect(response.data!.upgradePlan).toMatchObject({
      tier: 'PRO',
      status: 'COMPLETED',
      error: null,
      payment: { amount: '2000', currency: 'USD', status: 'SUCCEEDED', purpose: 'upgrade:PRO' },
    });
    expect(await h.tierOf(userId)).toBe('PRO');
    expect((await h.prisma.paymentAccount.findUniqueOrThrow({ where: { userId } })).planTier).toBe('PRO');
    expect(await h.prisma.outboxEvent.count({ where: { channel: 'payments.planChanged' } })).toBeGreaterThan(0);
    // Asking again for a plan you have is refused; FREE is not a plan to buy.
    expect(errorCodes(await upgrade(identity, 'PRO'))).toEqual(['INVALID_PLAN']);
    expect(errorCodes(await upgrade(identity, 'FREE'))).toEqual(['INVALID_PLAN']);
    // The plan's payment cannot be refunded on its own (the user would keep the plan for free).
    const refund = await h.call(
      'mutation ($id: ID!) { refundPayment(id: $id, idempotencyKey: "r") { status } }',
      { id: response.data!.upgradePlan.payment.id },
      identity,
    );
    expect(errorCodes(refund)).toEqual(['REFUND_NOT_SUPPORTED']);
  });

  it('replays the same key: one saga, one charge, the same answer', async () => {
    const { userId, identity } = await h.register();
    const key = randomUUID();
    const [a, b, c] = await Promise.all([upgrade(identity, 'ENTERPRISE', key), upgrade(identity, 'ENTERPRISE', key), upgrade(identity, 'ENTERPRISE', key)]);
    expect(a!.data).toEqual(b!.data);
    expect(a!.data).toEqual(c!.data);
    expect(await h.prisma.upgradeSaga.count({ where: { userId } })).toBe(1);
    expect([...h.stripe.intents.values()].filter((intent) => intent.metadata.userId === userId)).toHaveLength(1);
  });

  it('runs one upgrade at a time per user: a concurrent one with another key is refused and charges nothing', async () => {
    const { userId, identity } = await h.register();
    const results = await Promise.all([upgrade(identity, 'PRO'), upgrade(identity, 'ENTERPRISE')]);
    const codes = results.map((result) => errorCodes(result)[0] ?? result.data!.upgradePlan.status);
    expect(codes.filter((code) => code === 'COMPLETED')).toHaveLength(1);
    expect(codes.every((code) => ['COMPLETED', 'UPGRADE_IN_PROGRESS', 'INVALID_PLAN'].includes(code))).toBe(true);
    const charges = [...h.stripe.intents.values()].filter((intent) => intent.metadata.userId === userId);
    expect(charges).toHaveLength(1);
  });

  it('a declined card fails the saga before anything else happens', async () => {
    const { userId, identity } = await h.register();
    const response = await upgrade(identity, 'PRO', randomUUID(), 'pm_card_chargeDeclined');
    expect(response.data!.upgradePlan).toMatchObject({ status: 'FAILED', payment: { status: 'FAILED' } });
    await expectNoHalfState(userId, ['FAILED'], ['FAILED']);
  });

  it.each([
    ['charge', 'FAILED', 'FAILED'],
    ['setTier', 'COMPENSATED', 'REFUNDED'],
    ['confirm', 'COMPENSATED', 'REFUNDED'],
  ] as const)('a failure at %s is compensated: saga %s, payment %s, tier unchanged', async (step, sagaStatus, paymentStatus) => {
    const { userId, identity } = await h.register();
    faults.step = step;
    const response = await upgrade(identity);
    expect(response.errors).toBeUndefined();
    expect(response.data!.upgradePlan).toMatchObject({ status: sagaStatus, error: `injected failure at ${step}`, payment: { status: paymentStatus } });
    await expectNoHalfState(userId, [sagaStatus], [paymentStatus]);
  });

  it.each(['charge', 'setTier', 'confirm'] as const)('a crash before %s leaves a saga that recovery compensates', async (step) => {
    const { userId, identity } = await h.register();
    faults.step = step;
    faults.crash = true;
    expect(errorCodes(await upgrade(identity))).toEqual(['INTERNAL_SERVER_ERROR']);
    const stuck = await h.prisma.upgradeSaga.findFirstOrThrow({ where: { userId } });
    expect(stuck.status).toBe('RUNNING');
    delete faults.step;
    expect(await h.subgraph.services.upgrades.recover(0)).toBeGreaterThanOrEqual(1);
    await expectNoHalfState(userId, ['FAILED', 'COMPENSATED'], ['FAILED', 'REFUNDED']);
  });

  it('when compensation itself fails the saga stays COMPENSATING until recovery finishes it', async () => {
    const { userId, identity } = await h.register();
    faults.step = 'confirm';
    faults.alsoFail = 'refund';
    expect(errorCodes(await upgrade(identity))).toEqual(['INTERNAL_SERVER_ERROR']);
    const stuck = await h.prisma.upgradeSaga.findFirstOrThrow({ where: { userId } });
    expect(stuck.status).toBe('COMPENSATING');
    delete faults.step;
    delete faults.alsoFail;
    expect(await h.subgraph.services.upgrades.recover(0)).toBeGreaterThanOrEqual(1);
    await expectNoHalfState(userId, ['COMPENSATED'], ['REFUNDED']);
  });
});

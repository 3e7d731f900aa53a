import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisEventBus } from '@supergraph/pubsub';
import { bearer, errorCodes, graphql } from '@supergraph/testing';
import { REDIS_URL, startPaymentsHarness, type PaymentsHarness } from '@supergraph/payments/test/harness';
import { register } from './accounts';
import { CARD_PAYMENT_FIELDS, establishedCustomer, payByCard, riskyBurst, type CardPayment } from './card-payments';
import { startAiSubgraph } from './python-subgraph';
import { TestStack } from './stack';

/**
 * `analytics` through the real router: card payments made through the router (charged, declined,
 * refunded, held for review on their real fraud score) reach the AI subgraph's analytics through the
 * event bus's log, and the figures are exactly what the mutations returned. A malformed record on the
 * bus is quarantined with its reason; replaying every event changes nothing; only admins may read it.
 */
jest.setTimeout(240_000);

const SECRET = `analytics-${randomUUID()}`;
// A bus of this test's own: no other test's events reach these analytics.
const PREFIX = `analytics-${randomUUID()}:`;
const ADMIN_EMAIL = 'analytics-admin@example.com';
const stack = new TestStack();
let payments: PaymentsHarness;
let url: string;
let bus: RedisEventBus;
let adminToken: string;

beforeAll(async () => {
  const aiData = mkdtempSync(join(tmpdir(), 'ai-analytics-'));
  stack.defer(() => rmSync(aiData, { recursive: true, force: true }));
  const ai = await stack.add(startAiSubgraph(SECRET, { AI_DATA_DIR: aiData, REDIS_URL, EVENT_CHANNEL_PREFIX: PREFIX }));
  payments = await stack.add(
    startPaymentsHarness({
      env: { ROUTER_SIGNING_SECRET: SECRET, EVENT_CHANNEL_PREFIX: PREFIX, ADMIN_EMAILS: ADMIN_EMAIL, AI_URL: ai.url, FRAUD_REVIEW_THRESHOLD: '0.6' },
    }),
  );
  // Its task worker in process, on a queue of this test's own.
  const projects = await stack.projects({
    ROUTER_SIGNING_SECRET: SECRET,
    EVENT_CHANNEL_PREFIX: PREFIX,
    REDIS_URL,
    AI_URL: ai.url,
    PROJECTS_INPROCESS_WORKER: 'true',
    PROJECTS_QUEUE_PREFIX: PREFIX.slice(0, -1),
  });
  ({ url } = await stack.router(
    { users: `${payments.users.url}/graphql`, projects: `${projects.url}/graphql`, payments: `${payments.subgraph.url}/graphql`, ai: ai.url },
    { ROUTER_SIGNING_SECRET: SECRET, ADMIN_EMAILS: ADMIN_EMAIL },
  ));
  bus = new RedisEventBus(REDIS_URL, PREFIX);
  stack.defer(() => bus.close());
});
afterAll(() => stack.stop());

const CHANNEL = 'payments.paymentUpdated';
const SIGNED_IN = 'users.signedIn';
type Figures = {
  revenue: { currency: string; gross: string; refunded: string; net: string; payments: number }[];
  activeUsers: number;
  fraudRate: { rate: number | null; count: number; outOf: number };
  validationPassRate: { rate: number | null; count: number; outOf: number };
  insights: { kind: string; metric: string; value: number; baseline: number }[];
  quarantined: { eventId: string | null; channel: string; reason: string; raw: string }[];
};
const ANALYTICS = `{ analytics {
  revenue(by: DAY) { currency gross refunded net payments } activeUsers
  fraudRate { rate count outOf } validationPassRate { rate count outOf }
  insights { kind metric value baseline } quarantined(first: 10) { eventId channel reason raw }
} }`;

async function figures(token: string): Promise<Figures> {
  const response = await graphql<{ analytics: Figures }>(url, ANALYTICS, {}, bearer(token));
  expect(response.errors).toBeUndefined();
  return response.data!.analytics;
}

/** The channels this test checks; analytics follows each on its own. */
const MARKED = [CHANNEL, SIGNED_IN];

/**
 * Publishes a marker (not a JSON object: quarantined) on each checked channel and waits for them
 * all: on each channel, every event published before its marker was taken too (one log, read in order).
 * The figures then come from a request of their own: the one that saw the last marker may have
 * begun its window (which ends at the request's start) just before that marker was taken.
 */
async function drained(token: string, marker: string): Promise<Figures> {
  for (const channel of MARKED) await bus.publish(channel, marker);
  for (let i = 0; i < 300; i++) {
    const seen = await figures(token);
    const marked = new Set(seen.quarantined.filter((q) => q.raw === JSON.stringify(marker)).map((q) => q.channel));
    if (MARKED.every((channel) => marked.has(channel))) return figures(token);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`analytics never took the marker ${marker} on every channel`);
}

test('payments made through the router add up exactly in analytics; a bad record is quarantined; a replay changes nothing; admins only', async () => {
  const admin = await register(url, ADMIN_EMAIL);
  adminToken = admin.token;
  const regular = await establishedCustomer(url, payments.users, `regular-${randomUUID()}@example.com`);
  const made: CardPayment[] = [await payByCard(url, regular.token, '4200'), await payByCard(url, regular.token, '1999')];
  const refund = await graphql<{ refundPayment: CardPayment }>(
    url,
    `mutation ($id: ID!, $key: String!) { refundPayment(id: $id, idempotencyKey: $key) { ${CARD_PAYMENT_FIELDS} } }`,
    { id: made[1]!.id, key: randomUUID() },
    bearer(regular.token),
  );
  expect(refund.data!.refundPayment.status).toBe('REFUNDED');
  // A brand-new account: small payments, most declined, then a huge one the fraud score holds.
  const newcomer = await register(url, `newcomer-${randomUUID()}@example.com`);
  made.push(...(await riskyBurst(url, newcomer.token, 6)));
  expect(made.at(-1)!.status).toBe('REVIEW');

  // A malformed record on the bus: quarantined with its reason, with its event id.
  await bus.publish(CHANNEL, { id: 987654321, channel: CHANNEL, createdAt: new Date().toISOString(), payload: { id: randomUUID(), amount: '12.50' } });
  const before = await drained(admin.token, `marker-${randomUUID()}`);

  const charged = made.filter((payment) => payment.status === 'SUCCEEDED' || payment.id === made[1]!.id);
  const gross = charged.reduce((sum, payment) => sum + BigInt(payment.amount), 0n);
  expect(before.revenue).toEqual([{ currency: 'USD', gross: String(gross), refunded: '1999', net: String(gross - 1999n), payments: charged.length }]);
  // The admin, the regular payer and the newcomer each signed up, which signs in: all three were active.
  expect(before.activeUsers).toBe(3);
  const held = made.filter((payment) => payment.status === 'REVIEW').length;
  expect(before.fraudRate).toEqual({ rate: Number((held / made.length).toFixed(4)), count: held, outOf: made.length });
  const logged = (await bus.read(CHANNEL, '0-0', 10_000)).events;
  // The three sign-ups were announced on users' channel, published before its marker: taken and valid too.
  const signInLog = (await bus.read(SIGNED_IN, '0-0', 10_000)).events;
  const signIns = signInLog.filter((event) => typeof event.payload === 'object');
  expect(signIns).toHaveLength(3);
  const bad = logged.length + signInLog.length - before.validationPassRate.count;
  expect(bad).toBe(3); // the malformed record and the two markers
  expect(before.validationPassRate.outOf).toBe(logged.length + signInLog.length);
  expect(before.quarantined.find((q) => q.eventId === `${CHANNEL}:987654321`)).toMatchObject({ channel: CHANNEL, reason: 'payload.userId is missing' });
  expect(before.insights.find((insight) => insight.metric === 'revenue USD')).toMatchObject({ kind: 'CHANGE', value: Number(gross - 1999n), baseline: 0 });

  // Every event again, as an at-least-once relay or an operator's replay would send them: nothing changes.
  for (const event of logged) await bus.publish(CHANNEL, event.payload);
  for (const event of signIns) await bus.publish(SIGNED_IN, event.payload);
  const after = await drained(admin.token, `marker-${randomUUID()}`);
  expect(after.revenue).toEqual(before.revenue);
  expect(after.activeUsers).toBe(before.activeUsers);
  expect(after.fraudRate).toEqual(before.fraudRate);
  // Only the new markers are new: quarantined once more; nothing replayed counted twice.
  expect(after.validationPassRate).toMatchObject({ count: before.validationPassRate.count, outOf: before.validationPassRate.outOf + MARKED.length });

  // Not for customers.
  const refused = await graphql(url, '{ analytics { activeUsers } }', {}, bearer(regular.token));
  expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
});

// Runs after the first test, whose admin it reuses (and whose figures it leaves alone: it asks only for queue waits).
test('a task run through the router shows in the queue wait of its tier', async () => {
  const owner = await register(url, `builder-${randomUUID()}@example.com`);
  const project = await graphql<{ createProject: { id: string } }>(url, 'mutation { createProject(name: "Measured") { id } }', {}, bearer(owner.token));
  expect(project.errors).toBeUndefined();
  const task = await graphql(
    url,
    'mutation ($id: ID!) { submitTask(projectId: $id, kind: BUILD) { id } }',
    { id: project.data!.createProject.id },
    bearer(owner.token),
  );
  expect(task.errors).toBeUndefined();
  let waits: { tier: string; tasks: number; meanSeconds: number; maxSeconds: number }[] = [];
  for (let i = 0; i < 300 && waits.length === 0; i++) {
    const response = await graphql<{ analytics: { queueWaitByTier: typeof waits } }>(
      url,
      '{ analytics { queueWaitByTier { tier tasks meanSeconds maxSeconds } } }',
      {},
      bearer(adminToken),
    );
    expect(response.errors).toBeUndefined();
    waits = response.data!.analytics.queueWaitByTier;
    if (waits.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(waits).toHaveLength(1);
  expect(waits[0]).toMatchObject({ tier: 'FREE', tasks: 1 });
  expect(waits[0]!.meanSeconds).toBeGreaterThanOrEqual(0);
  expect(waits[0]!.maxSeconds).toBe(waits[0]!.meanSeconds);
});

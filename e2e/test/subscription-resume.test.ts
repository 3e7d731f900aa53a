import { randomUUID } from 'node:crypto';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { RedisEventBus } from '@supergraph/pubsub';
import { bearer, EVENT_CHANNEL_PREFIX, graphql } from '@supergraph/testing';
import { PAYMENT_UPDATED } from '@supergraph/payments/src/events/payment-events';
import { REDIS_URL } from '@supergraph/payments/test/harness';
import { startPaymentsHarness } from '@supergraph/payments/test/harness';
import { signUp } from './accounts';
import { TestStack } from './stack';

/**
 * Subscriptions that resume (issue #19): every event a client receives carries its position in
 * `extensions.position`; a client whose connection drops subscribes again with `after` set to the
 * last position it saw and receives what it missed, then live events — each once, in order — all
 * through the real router over graphql-ws, the payments subgraph's events coming from its outbox
 * over Redis.
 */
jest.setTimeout(240_000);

const PAYMENT_UPDATES = 'subscription ($after: String) { paymentUpdated(after: $after) { id status } }';
/** Each event also needs a fetch from the users subgraph, so the router completes events more slowly than the subgraph sends them. */
const PAYMENT_UPDATES_WITH_PAYER = 'subscription ($after: String) { paymentUpdated(after: $after) { id status user { email } } }';
const BURST = 60;

interface Delivered {
  id: string;
  status: string;
  position: string;
}

/** One graphql-ws connection to the router with one `paymentUpdated` subscription on it. */
function subscriber(url: string, token: string, after?: string, query = PAYMENT_UPDATES) {
  const client: Client = createClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: bearer(token), retryAttempts: 0 });
  const delivered: Delivered[] = [];
  const results: FormattedExecutionResult<unknown, { position?: string }>[] = [];
  let completed = false;
  client.subscribe<{ paymentUpdated: { id: string; status: string } }, { position?: string }>(
    { query, variables: { after: after ?? null } },
    {
      next: (result) => {
        results.push(result);
        if (result.data) delivered.push({ ...result.data.paymentUpdated, position: result.extensions!.position! });
      },
      error: () => {},
      complete: () => (completed = true),
    },
  );
  return {
    delivered,
    results,
    isComplete: () => completed,
    lastPosition: () => delivered.at(-1)!.position,
    /** The connection drops, as a network failure would drop it: no goodbye to the router. */
    drop: () => client.terminate(),
    dispose: () => client.dispose(),
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const stack = new TestStack();
let url: string;
let token: string;

beforeAll(async () => {
  const payments = await stack.add(startPaymentsHarness());
  ({ url } = await stack.router({ users: `${payments.users.url}/graphql`, payments: `${payments.subgraph.url}/graphql` }));
  token = await signUp(url, `resume-${randomUUID()}@example.com`);
});
afterAll(() => stack.stop());

async function pay(): Promise<string> {
  const paid = await graphql<{ createPayment: { id: string } }>(
    url,
    'mutation ($key: String!) { createPayment(amount: "4200", currency: "USD", idempotencyKey: $key) { id } }',
    { key: randomUUID() },
    bearer(token),
  );
  if (paid.errors) throw new Error(JSON.stringify(paid.errors));
  return paid.data!.createPayment.id;
}

/** Pays until `feed` has seen an event: its subscription is live upstream. */
async function liveFeed(feed: ReturnType<typeof subscriber>): Promise<void> {
  while (feed.delivered.length === 0) {
    await pay();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('a client dropped mid-burst resumes after the last position it saw: every event exactly once, in order', async () => {
  // An undisturbed subscriber is the reference for what happened.
  const reference = subscriber(url, token);
  const dropping = subscriber(url, token);
  try {
    await liveFeed(reference);
    await until(() => dropping.delivered.length > 0, "the dropping client's first event");

    const burst = (async () => {
      const ids: string[] = [];
      for (let i = 0; i < BURST; i++) ids.push(await pay());
      return ids;
    })();
    await until(() => dropping.delivered.length >= BURST / 4, 'a quarter of the burst');
    dropping.drop();
    const seenBeforeDrop = [...dropping.delivered];
    await until(() => reference.delivered.length >= seenBeforeDrop.length + 5, 'events while the client is away');

    const resumed = subscriber(url, token, seenBeforeDrop.at(-1)!.position);
    const paid = await burst;
    // Each card payment is announced PENDING, then settled by the local Stripe: the burst is over once all are settled.
    const settled = (events: Delivered[]) => paid.every((id) => events.some((event) => event.id === id && event.status !== 'PENDING'));
    await until(() => settled(reference.delivered), 'the whole burst at the reference');
    await until(() => seenBeforeDrop.length + resumed.delivered.length >= reference.delivered.length, 'the resumed client to catch up');
    // Nothing more arrives: no duplicate trails the catch-up.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const across = [...seenBeforeDrop, ...resumed.delivered];
    expect(across).toEqual(reference.delivered);
    expect(new Set(across.map((event) => event.position)).size).toBe(across.length);
    for (const id of paid) expect(across.filter((event) => event.id === id).map((event) => event.status)).toEqual(['PENDING', 'SUCCEEDED']);
    expect(resumed.results.every((result) => !result.errors)).toBe(true);

    // A second client resuming from the same position while the first runs gets the same replay:
    // the router shares no upstream subscription between resuming clients.
    const again = subscriber(url, token, seenBeforeDrop.at(-1)!.position);
    await until(() => again.delivered.length >= resumed.delivered.length, 'the second resumed client');
    expect(again.delivered).toEqual(resumed.delivered);
    again.dispose();
    resumed.dispose();
  } finally {
    dropping.dispose();
    reference.dispose();
  }
});

test('a position older than the retention window ends the subscription with SUBSCRIPTION_POSITION_EXPIRED, and one that is not a position with BAD_USER_INPUT', async () => {
  const expired = subscriber(url, token, '1-0');
  await until(() => expired.isComplete(), 'the expired subscription to end');
  expect(expired.delivered).toEqual([]);
  expect(expired.results).toHaveLength(1);
  expect(expired.results[0]!.errors![0]!.extensions).toMatchObject({ code: 'SUBSCRIPTION_POSITION_EXPIRED', position: '1-0' });
  expired.dispose();

  const malformed = subscriber(url, token, 'last tuesday');
  await until(() => malformed.isComplete(), 'the malformed subscription to end');
  expect(malformed.results[0]!.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  malformed.dispose();
});

test('a replay larger than the live buffers on its way arrives whole, in order', async () => {
  const paymentId = await pay();
  const me = await graphql<{ me: { id: string } }>(url, '{ me { id } }', {}, bearer(token));
  const bus = new RedisEventBus(REDIS_URL, EVENT_CHANNEL_PREFIX);
  try {
    const announce = (n: number) =>
      bus.publish(PAYMENT_UPDATED, {
        id: `replay-${n}`,
        channel: PAYMENT_UPDATED,
        createdAt: new Date().toISOString(),
        payload: { id: paymentId, userId: me.data!.me.id, status: n % 2 ? 'SUCCEEDED' : 'PENDING', method: 'CARD', amount: '4200', currency: 'USD' },
      });
    const start = await announce(0);
    // Three times what a subscriber's live buffer holds, published before anyone reads them.
    const published: string[] = [];
    for (let n = 1; n <= 3000; n++) published.push(await announce(n));

    const replay = subscriber(url, token, start, PAYMENT_UPDATES_WITH_PAYER);
    try {
      await until(() => replay.delivered.length >= published.length || replay.isComplete(), 'the whole replay', 150_000);
      expect(replay.results.filter((result) => result.errors)).toEqual([]);
      expect(replay.delivered.map((event) => event.position)).toEqual(published);
    } finally {
      replay.dispose();
    }
  } finally {
    await bus.close();
  }
});

import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '@supergraph/db';
import { RedisEventBus, type EventBus } from '@supergraph/pubsub';
import { createTestDatabase, quietLogger, type TestDatabase } from '@supergraph/testing';
import { startOutboxRelay, type OutboxEnvelope, type OutboxRelay } from '../src';

// Real Postgres and Redis: the relay's guarantees are about transactions and locks, which a fake would not prove.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';

// The table every subgraph declares with the Prisma model `OutboxEvent` (see prisma/payments/schema.prisma).
const OUTBOX_TABLE = `CREATE TABLE outbox_events (
  id BIGSERIAL PRIMARY KEY, channel TEXT NOT NULL, payload JSONB NOT NULL,
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, published_at TIMESTAMPTZ(3));
CREATE INDEX outbox_events_published_at_id_idx ON outbox_events (published_at, id);
CREATE TABLE things (id SERIAL PRIMARY KEY, name TEXT NOT NULL);`;

let testDb: TestDatabase;
let db: Database;
let bus: RedisEventBus;
let listener: RedisEventBus;
const relays: OutboxRelay[] = [];
const logger = quietLogger('outbox-test');

beforeAll(async () => {
  testDb = await createTestDatabase('outbox');
  db = await openDatabase({ name: 'outbox-test', url: testDb.url });
  await db.sql.exec(OUTBOX_TABLE);
  const prefix = `outbox-test-${randomBytes(4).toString('hex')}:`;
  bus = new RedisEventBus(REDIS_URL, prefix);
  listener = new RedisEventBus(REDIS_URL, prefix);
});

afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  await db.sql.exec('TRUNCATE outbox_events, things');
});

afterAll(async () => {
  await bus?.close();
  await listener?.close();
  await db?.close();
  await testDb?.drop();
});

/** A relay that only publishes when the test flushes it. */
function relay(eventBus: EventBus = bus): OutboxRelay {
  const started = startOutboxRelay({ sql: db.sql, bus: eventBus, logger, pollMs: 60_000 });
  relays.push(started);
  return started;
}

/** The change and its event, in one transaction: what every subgraph does. */
async function change(name: string, fail = false): Promise<void> {
  await db.sql.transaction(async (tx) => {
    await tx.query('INSERT INTO things (name) VALUES ($1)', [name]);
    await tx.query('INSERT INTO outbox_events (channel, payload) VALUES ($1, $2)', ['test.thing', JSON.stringify({ name })]);
    if (fail) throw new Error('rolled back');
  });
}

async function collect(channel: string, count: number, work: () => Promise<unknown>, settleMs = 150): Promise<OutboxEnvelope<{ name: string }>[]> {
  const events = listener.subscribe<OutboxEnvelope<{ name: string }>>(channel);
  await listener.ready();
  const received: OutboxEnvelope<{ name: string }>[] = [];
  const reading = (async () => {
    for await (const event of events) {
      received.push(event);
      if (received.length >= count) break;
    }
  })();
  await work();
  await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
  await new Promise((resolve) => setTimeout(resolve, settleMs)); // anything extra would arrive now
  await events.return?.();
  return received;
}

const unpublished = async () => Number((await db.sql.query<{ n: string }>('SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL'))[0]!.n);

test('publishes committed changes in id order with the row id in the envelope, and marks them published', async () => {
  await change('a');
  await change('b');
  await change('c');
  const received = await collect('test.thing', 3, () => relay().flush());
  expect(received.map((event) => event.payload.name)).toEqual(['a', 'b', 'c']);
  const ids = received.map((event) => Number(event.id));
  expect(ids).toEqual([...ids].sort((x, y) => x - y));
  expect(received[0]).toMatchObject({ channel: 'test.thing', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
  expect(await unpublished()).toBe(0);
  expect(await relay().flush()).toBe(0);
});

test('a rolled-back change sends no event', async () => {
  await expect(change('ghost', true)).rejects.toThrow('rolled back');
  await change('real');
  const received = await collect('test.thing', 1, () => relay().flush(), 300);
  expect(received.map((event) => event.payload.name)).toEqual(['real']);
  expect(Number((await db.sql.query<{ n: string }>('SELECT count(*) AS n FROM outbox_events'))[0]!.n)).toBe(1);
});

test('a crash after publishing but before marking republishes the row (never lost, same id)', async () => {
  await change('x');
  await change('y');
  // The bus accepts the first event, then the process "dies" before the rows are marked (and stays dead).
  let calls = 0;
  const crashing: EventBus = {
    publish: async (channel, payload) => {
      calls++;
      if (calls >= 2) throw new Error('crash');
      return await bus.publish(channel, payload);
    },
    subscribe: (channel) => bus.subscribe(channel),
    resume: (channel, after) => bus.resume(channel, after),
    close: async () => undefined,
  };
  const first = await collect('test.thing', 1, () =>
    relay(crashing)
      .flush()
      .catch(() => 0),
  );
  expect(first.map((event) => event.payload.name)).toEqual(['x']);
  expect(await unpublished()).toBe(2);

  const second = await collect('test.thing', 2, () => relay().flush());
  expect(second.map((event) => event.payload.name)).toEqual(['x', 'y']);
  expect(second[0]!.id).toBe(first[0]!.id); // consumers dedupe on it
  expect(await unpublished()).toBe(0);
});

test('two relays on one database publish each row once', async () => {
  for (let i = 0; i < 50; i++) await change(`n${i}`);
  const a = relay();
  const b = relay();
  const received = await collect(
    'test.thing',
    51,
    async () => {
      // Both race for the same rows over and over while new rows keep arriving.
      await Promise.all([a.flush(), b.flush(), a.flush(), b.flush(), change('late').then(() => Promise.all([a.flush(), b.flush()]))]);
      await a.flush();
    },
    300,
  );
  const ids = received.map((event) => event.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(received).toHaveLength(51);
  expect(await unpublished()).toBe(0);
});

test('the poller publishes without being asked, and stop() ends it', async () => {
  const polling = startOutboxRelay({ sql: db.sql, bus, logger, pollMs: 20 });
  relays.push(polling);
  const received = await collect('test.thing', 1, () => change('polled'));
  expect(received.map((event) => event.payload.name)).toEqual(['polled']);
  await polling.stop();
  await change('after-stop');
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await unpublished()).toBe(1);
});

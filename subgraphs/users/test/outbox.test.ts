import { randomUUID } from 'node:crypto';
import type { OutboxEnvelope } from '@supergraph/outbox';
import { RedisEventBus } from '@supergraph/pubsub';
import { asRouter, startTcpProxy, subscribeMany, type TcpProxy } from '@supergraph/testing';
import { ACCOUNT_UPDATED, SIGNED_IN, type AccountUpdated, type SignedIn } from '../src/events/account-events';
import { startUsersHarness, userIdentity, type UsersHarness } from './harness';

/**
 * The users subgraph announces account changes and sign-ins through its outbox, on real PostgreSQL
 * and Redis. Its bus reaches Redis through a proxy the tests take away: while Redis is unreachable,
 * changes and sign-ins succeed and are committed, and each is announced once when Redis is back. A
 * watcher connected to Redis directly sees what reached the bus.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
// A bus of this file's own: no other test's events share these channels.
const PREFIX = `users-outbox-${randomUUID()}:`;
const PASSWORD = 'correct horse battery';
const admin = userIdentity('00000000-0000-4000-8000-000000000001', ['USER', 'ADMIN']);

let proxy: TcpProxy;
let users: UsersHarness;
let watcher: RedisEventBus;

beforeAll(async () => {
  const redis = new URL(REDIS_URL);
  proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
  users = await startUsersHarness({ REDIS_URL: `redis://127.0.0.1:${proxy.port}`, EVENT_CHANNEL_PREFIX: PREFIX });
  watcher = new RedisEventBus(REDIS_URL, PREFIX);
});
afterEach(() => proxy.open());
afterAll(async () => {
  await watcher?.close();
  await users?.stop();
  await proxy?.close();
});

async function register(email: string): Promise<string> {
  const response = await users.call<{ register: { user: { id: string } } }>(
    'mutation ($email: String!, $password: String!) { register(email: $email, password: $password) { user { id } } }',
    { email, password: PASSWORD },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.register.user.id;
}

type Row = { id: bigint; channel: string; payload: unknown; publishedAt: Date | null };

/** The outbox rows of `channel` whose payload names `userId`, oldest first. */
async function outboxRows(channel: string, userId: string): Promise<Row[]> {
  const rows = await users.db.prisma.outboxEvent.findMany({ where: { channel }, orderBy: { id: 'asc' } });
  return rows.filter((row) => (row.payload as { userId?: string }).userId === userId);
}

/** Resolves once `check` is true; fails after 20 s. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the relay has marked `row` published, then returns every envelope of it on the bus's log. */
async function deliveriesOf(row: Row): Promise<OutboxEnvelope[]> {
  await until(
    `outbox row ${row.id} published`,
    async () => (await users.db.prisma.outboxEvent.findUniqueOrThrow({ where: { id: row.id } })).publishedAt !== null,
  );
  const { events } = await watcher.read(row.channel, '0-0', 10_000);
  return events.map((event) => event.payload as OutboxEnvelope).filter((envelope) => envelope.id === String(row.id));
}

describe('with Redis unreachable', () => {
  it('setUserTier succeeds and commits the tier; accountUpdated is published once when Redis is back', async () => {
    const userId = await register(`tiered-${randomUUID()}@example.com`);
    const events = await watcher.resume<OutboxEnvelope<AccountUpdated>>(ACCOUNT_UPDATED);
    try {
      await proxy.close();
      const response = await users.call('mutation ($id: ID!) { setUserTier(userId: $id, tier: PRO) { id tier } }', { id: userId }, admin);
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ setUserTier: { id: userId, tier: 'PRO' } });
      expect((await users.db.prisma.user.findUniqueOrThrow({ where: { id: userId } })).tier).toBe('PRO');
      // Written with the change, waiting for the bus.
      const [row, ...more] = await outboxRows(ACCOUNT_UPDATED, userId);
      expect(more).toEqual([]);
      expect(row).toMatchObject({ payload: { userId, change: 'tier' }, publishedAt: null });

      await proxy.open();
      const { value: received } = await events.next();
      expect(received).toEqual({ id: String(row!.id), channel: ACCOUNT_UPDATED, createdAt: expect.any(String), payload: { userId, change: 'tier' } });
      expect(await deliveriesOf(row!)).toHaveLength(1);
    } finally {
      await events.return?.();
    }
  });

  it("the user's accountUpdated subscription, live before the outage, gets the change made during it once Redis is back", async () => {
    const userId = await register(`watching-${randomUUID()}@example.com`);
    const SET_TIER = 'mutation ($id: ID!, $tier: Tier!) { setUserTier(userId: $id, tier: $tier) { tier } }';
    type Data = { accountUpdated: { id: string; tier: string } };
    const subscription = subscribeMany<Data>(
      users.url,
      asRouter(userIdentity(userId), users.config.routerSigningSecret),
      { query: 'subscription { accountUpdated { id tier } }' },
      1,
    );
    const hasTier = (tier: string) => (data: Data) => data.accountUpdated.tier === tier;
    try {
      await subscription.untilLive(async () => {
        expect((await users.call(SET_TIER, { id: userId, tier: 'PRO' }, admin)).errors).toBeUndefined();
        return hasTier('PRO');
      });
      await proxy.close();
      expect((await users.call(SET_TIER, { id: userId, tier: 'ENTERPRISE' }, admin)).errors).toBeUndefined();
      await proxy.open();
      expect(await subscription.everyoneSees(hasTier('ENTERPRISE'), 20_000)).toBe(true);
      const [row] = (await outboxRows(ACCOUNT_UPDATED, userId)).slice(-1);
      expect(await deliveriesOf(row!)).toHaveLength(1);
      const enterprise = subscription.received[0]!.filter((result) => result.data?.accountUpdated.tier === 'ENTERPRISE');
      expect(enterprise).toEqual([{ data: { accountUpdated: { id: userId, tier: 'ENTERPRISE' } }, extensions: expect.anything() }]);
    } finally {
      await subscription.dispose();
    }
  });

  it('a sign-in and a registration succeed, and each is announced on users.signedIn once when Redis is back', async () => {
    const email = `returning-${randomUUID()}@example.com`;
    const returning = await register(email);
    await proxy.close();
    const login = await users.call<{ login: { token: string } }>(
      'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }',
      { email, password: PASSWORD },
    );
    expect(login.errors).toBeUndefined();
    expect(login.data!.login.token.split('.')).toHaveLength(3);
    const newcomer = await register(`newcomer-${randomUUID()}@example.com`);
    const waiting = [...(await outboxRows(SIGNED_IN, returning)).slice(1), ...(await outboxRows(SIGNED_IN, newcomer))];
    expect(waiting.map(({ payload, publishedAt }) => ({ payload, publishedAt }))).toEqual([
      { payload: { userId: returning, method: 'password' } satisfies SignedIn, publishedAt: null },
      { payload: { userId: newcomer, method: 'register' } satisfies SignedIn, publishedAt: null },
    ]);

    await proxy.open();
    for (const row of waiting) {
      const deliveries = await deliveriesOf(row);
      expect(deliveries).toEqual([{ id: String(row.id), channel: SIGNED_IN, createdAt: expect.any(String), payload: row.payload }]);
    }
  });
});

describe('announcements belong to their change', () => {
  it('a refused change or sign-in announces nothing', async () => {
    const email = `once-${randomUUID()}@example.com`;
    const userId = await register(email);
    const before = await users.db.prisma.outboxEvent.count();
    const missing = await users.call('mutation ($id: ID!) { setUserTier(userId: $id, tier: PRO) { id } }', { id: randomUUID() }, admin);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const taken = await users.call('mutation ($email: String!, $password: String!) { register(email: $email, password: $password) { token } }', {
      email,
      password: PASSWORD,
    });
    expect(taken.errors?.[0]?.extensions?.code).toBe('EMAIL_TAKEN');
    const wrongPassword = await users.call('mutation ($email: String!) { login(email: $email, password: "not the password") { token } }', { email });
    expect(wrongPassword.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    expect(await users.db.prisma.outboxEvent.count()).toBe(before);
    expect(await outboxRows(SIGNED_IN, userId)).toHaveLength(1);
  });
});

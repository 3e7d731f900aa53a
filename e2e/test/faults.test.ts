import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { privateKeyToAccount, generatePrivateKey } from 'viem/accounts';
import { bearer, errorCodes, graphql, type GraphQLResponse } from '@supergraph/testing';
import { TRANSFER_EVENT, treasuryAbi } from '@supergraph/blockchain/src/chain/abis';
import { TASK_UPDATED } from '@supergraph/projects/src/domain/events';
import { signUp } from './accounts';
import { startFaultPlatform, type FaultPlatform } from './fault-platform';
import { startLoad, type LoadReport } from './fault-load';

/**
 * The fault suite (issue 19): the platform under steady load while what it stands on fails and
 * comes back — Redis, PostgreSQL, the chain node, the router itself — each with what must hold.
 * Nothing is restarted by hand but the failed piece: every service must recover by itself. The
 * faults come one after another on one platform (e2e/test/fault-platform.ts, on a PostgreSQL and a
 * Redis of its own), each test leaving it recovered for the next.
 */
jest.setTimeout(240_000);

/** Codes a client may see while a dependency is down: each says "retry later", none is an internal error. */
const RETRYABLE = ['DATABASE_UNAVAILABLE', 'SUBGRAPH_UNAVAILABLE', 'IDEMPOTENCY_KEY_IN_PROGRESS', 'RPC_UNAVAILABLE'];

let platform: FaultPlatform;
let token: string;

beforeAll(async () => {
  platform = await startFaultPlatform();
  token = await signUp(platform.url, `payer-${randomUUID()}@example.com`);
});
afterAll(() => platform?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const me = () => graphql(platform.url, '{ me { id email } }', {}, bearer(token));
/** A chain-backed field (blockchain reads the node, through its RPC cache on Redis). */
const chainStatus = () => graphql(platform.url, '{ chainStatus { headBlock } }');
const myPayments = () =>
  graphql<{ me: { payments: { id: string; status: string }[] } }>(platform.url, '{ me { id payments { id status } } }', {}, bearer(token));

/** createPayment once with `key`. */
const createPayment = (key: string) =>
  graphql<{ createPayment: { id: string; status: string } }>(
    platform.url,
    'mutation ($key: String!) { createPayment(amount: "1500", currency: "USD", idempotencyKey: $key) { id status } }',
    { key },
    bearer(token),
  );

/**
 * What a careful client does: createPayment with one idempotency key, sent again after every
 * answer that says "retry later", until it gets the payment. Every answer goes to `record`.
 */
async function payRetrying(key: string, record: (response: GraphQLResponse<unknown>) => void): Promise<string> {
  for (;;) {
    const response = await createPayment(key).catch((error: unknown) => ({ status: 0, errors: [{ message: String(error) }] }) as GraphQLResponse<never>);
    record(response);
    if (response.data?.createPayment) return response.data.createPayment.id;
    const codes = errorCodes(response);
    if (response.status !== 0 && !codes.every((code) => code && RETRYABLE.includes(code)))
      throw new Error(`createPayment refused: ${JSON.stringify(response.errors)}`);
    await sleep(250);
  }
}

/** `paymentUpdated` through the router over graphql-ws: what a dashboard holds open. */
function subscribePayments(after?: string) {
  const client: Client = createClient({ url: platform.url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: bearer(token), retryAttempts: 0 });
  /** Each event with its position (`extensions.position`), which a client resumes after. */
  const events: { id: string; status: string; position: string }[] = [];
  const errors: unknown[] = [];
  let ended = false;
  client.subscribe<{ paymentUpdated: { id: string; status: string } }, { position?: string }>(
    { query: 'subscription ($after: String) { paymentUpdated(after: $after) { id status } }', variables: { after: after ?? null } },
    {
      next: (result) =>
        void (result.errors || !result.data
          ? errors.push(result.errors)
          : events.push({ ...result.data.paymentUpdated, position: String(result.extensions?.position) })),
      error: (error) => void errors.push(error),
      complete: () => void (ended = true),
    },
  );
  return {
    events,
    errors,
    get ended() {
      return ended;
    },
    /** Pays until a payment's event arrives: the subscription is live upstream from then on. */
    live: async () => {
      await eventually('the subscription to go live', async () => {
        const { data } = await createPayment(randomUUID());
        const id = data?.createPayment.id;
        await sleep(500);
        return events.some((event) => event.id === id) ? true : undefined;
      });
    },
    dispose: () => client.dispose(),
  };
}

/** Runs `work` with a live paymentUpdated subscription through the router, closed afterwards. */
async function withLiveSubscription(work: (feed: ReturnType<typeof subscribePayments>) => Promise<void>): Promise<void> {
  const feed = subscribePayments();
  try {
    await feed.live();
    await work(feed);
  } finally {
    await feed.dispose();
  }
}

/** The subgraphs of this platform that the router's /ready finds answering, with their breaker closed. */
async function readySubgraphs(): Promise<string[]> {
  const { subgraphs } = (await (await fetch(`${platform.router.url}/ready`)).json()) as { subgraphs: Record<string, { ok: boolean; breaker: string }> };
  return ['users', 'payments', 'blockchain'].filter((name) => subgraphs[name]?.ok && subgraphs[name]?.breaker === 'closed');
}

function expectNoServerFailures(report: LoadReport) {
  expect(report.requests).toBeGreaterThan(0);
  expect(report.serverFailures).toEqual([]);
  expect(Object.keys(report.codes).filter((code) => code !== 'ok' && !RETRYABLE.includes(code))).toEqual([]);
}

test('Redis restarted mid-load with its data: no 5xx, everything reconnects, and the live subscription goes on with every event written while it was down, once', async () => {
  await withLiveSubscription(async (feed) => {
    // The router's rate limiter and the blockchain subgraph's RPC cache live on Redis too.
    const load = startLoad([me, myPayments, chainStatus]);
    await sleep(500);

    const paidWhileDown: string[] = [];
    await platform.redis.stop();
    try {
      // Payments made while Redis is down commit with their outbox rows; the relay cannot publish them yet.
      for (let i = 0; i < 3; i++) paidWhileDown.push(await payRetrying(randomUUID(), load.record));
      await sleep(1_000);
    } finally {
      await platform.redis.start();
    }
    const paidAfter = await payRetrying(randomUUID(), load.record);

    const paid = [...paidWhileDown, paidAfter];
    const missing = () => paid.filter((id) => !feed.events.some((event) => event.id === id));
    await eventually('the events of the payments made while Redis was down and after', async () => (missing().length === 0 ? true : undefined)).catch(
      () => undefined,
    );
    expect({ missing: missing(), errors: feed.errors }).toEqual({ missing: [], errors: [] });
    await sleep(1_000); // a duplicate would arrive by now
    const report = await load.stop();

    expectNoServerFailures(report);
    // The relay retried what it could not publish while Redis was away: nothing is left behind.
    expect(await platform.payments.database.sql.query('SELECT id FROM outbox_events WHERE published_at IS NULL')).toEqual([]);
    expect(feed.errors).toEqual([]);
    expect(feed.ended).toBe(false);
    for (const id of paid) {
      const announced = feed.events.filter((event) => event.id === id).map((event) => event.status);
      expect(announced).toEqual([...new Set(announced)]); // each status change once
    }
  });
});

test('Redis restarted empty (no persistence): live subscriptions end with SUBSCRIPTION_POSITION_EXPIRED, and a client that subscribes again gets what happens next', async () => {
  await withLiveSubscription(async (feed) => {
    const wipe = new Redis(platform.redis.url);
    await wipe.flushall();
    wipe.disconnect();
    await platform.redis.stop();
    await platform.redis.start();
    // Reconnecting shows the gap (the next event would too): the log that held what came before it is gone.
    const load = startLoad([me]);
    await payRetrying(randomUUID(), load.record);
    await eventually('the subscription to end', async () => (feed.errors.length > 0 ? true : undefined));
    expect(feed.errors).toEqual([[expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBSCRIPTION_POSITION_EXPIRED' }) })]]);
    expectNoServerFailures(await load.stop());
  });
  await withLiveSubscription(async (resubscribed) => expect(resubscribed.errors).toEqual([]));
});

const submitTask = (projectId: string) =>
  graphql<{ submitTask: { id: string; status: string; queuePosition: number | null } }>(
    platform.url,
    'mutation ($projectId: ID!) { submitTask(projectId: $projectId, kind: ANALYZE) { id status queuePosition } }',
    { projectId },
    bearer(token),
  );
const task = (id: string) =>
  graphql<{ task: { status: string; attempts: number } }>(platform.url, 'query ($id: ID!) { task(id: $id) { status attempts } }', { id }, bearer(token));

test('Redis restarted while tasks are submitted: each submit answers with its task saved, and every task runs exactly once when Redis is back', async () => {
  const created = await graphql<{ createProject: { id: string } }>(
    platform.url,
    'mutation { createProject(name: "Queued through an outage") { id } }',
    {},
    bearer(token),
  );
  const projectId = created.data!.createProject.id;
  const logged = platform.projectsLog.length;
  const load = startLoad([me]);
  const submitted: string[] = [];
  await platform.redis.stop();
  try {
    // With the queue out of reach, a submit that waited for it would outlast the router's deadline.
    for (let i = 0; i < 5; i++) {
      const response = await submitTask(projectId);
      load.record(response);
      expect(response.errors).toBeUndefined();
      expect(response.data!.submitTask).toMatchObject({ status: 'QUEUED', queuePosition: null });
      submitted.push(response.data!.submitTask.id);
    }
  } finally {
    await platform.redis.start();
  }

  const ran = await eventually(
    'every task submitted during the outage to run',
    async () => {
      const tasks = await Promise.all(submitted.map(async (id) => (await task(id)).data?.task));
      return tasks.every((row) => row && !['QUEUED', 'RUNNING'].includes(row.status)) ? tasks : undefined;
    },
    60_000,
  );
  await sleep(1_000); // a second run would have started by now
  expectNoServerFailures(await load.stop());
  expect(ran.map((row) => row && [row.status, row.attempts])).toEqual(submitted.map(() => ['SUCCEEDED', 1]));
  // Run exactly once: each task was announced RUNNING once.
  const starts = await platform.projects.database.sql.query<{ id: string; starts: number }>(
    `SELECT payload->>'taskId' AS id, count(*)::int AS starts FROM outbox_events WHERE channel = $1 AND payload->>'status' = 'RUNNING' GROUP BY 1`,
    [TASK_UPDATED],
  );
  expect(Object.fromEntries(starts.filter((row) => submitted.includes(row.id)).map((row) => [row.id, row.starts]))).toEqual(
    Object.fromEntries(submitted.map((id) => [id, 1])),
  );
  // The outage in the subgraph's log: once as it began, once as it ended, never a line per reconnect attempt.
  const outageLines = platform.projectsLog.slice(logged).filter((line) => /^Redis is (unreachable|reachable again)/.test(String(line.msg)));
  expect(outageLines.map((line) => [line.level, line.stack])).toEqual([
    ['warn', undefined],
    ['info', undefined],
  ]);
});

test('PostgreSQL restarted mid-load: no 5xx, a retryable code while it is down, exactly one payment per key retried across the outage', async () => {
  const before = (await myPayments()).data!.me.payments.length;
  const load = startLoad([me, myPayments]);
  await sleep(500);

  // Payers each retrying their own key, started just before the stop: some are cut mid-request.
  const keys = Array.from({ length: 5 }, () => randomUUID());
  const payers = keys.map(async (key, index) => {
    await sleep(index * 100);
    return payRetrying(key, load.record);
  });
  let whileDown: GraphQLResponse<unknown>;
  await sleep(200);
  await platform.postgres.stop();
  try {
    whileDown = await createPayment(randomUUID());
    await sleep(2_000);
  } finally {
    await platform.postgres.start();
  }
  expect(whileDown.status).toBeLessThan(500);
  expect(errorCodes(whileDown)).toEqual(['DATABASE_UNAVAILABLE']);

  const paymentIds = await Promise.all(payers);
  await eventually('every service to answer again', async () => ((await me()).errors === undefined ? true : undefined));
  for (const [index, key] of keys.entries()) expect((await createPayment(key)).data?.createPayment.id).toBe(paymentIds[index]);
  const report = await load.stop();

  expectNoServerFailures(report);
  expect(report.codes.DATABASE_UNAVAILABLE).toBeGreaterThan(0);
  expect(report.codes.ok).toBeGreaterThan(0);
  const payments = (await myPayments()).data!.me.payments;
  // One payment per retried key, and none for the attempt refused while the database was away.
  expect(new Set(paymentIds).size).toBe(keys.length);
  expect(payments.length).toBe(before + keys.length);
  expect(payments.filter((payment) => paymentIds.includes(payment.id))).toHaveLength(keys.length);
  await eventually('the router to find the subgraphs ready again', async () => ((await readySubgraphs()).length === 3 ? true : undefined));
});

test('the chain node gone and back: RPC_UNAVAILABLE while it is gone, then the follower catches up without missing or doubling a transfer', async () => {
  const { chain, blockchain } = platform;
  // Treasury payouts sent straight to the node by its operator: they land whether the subgraph can reach the node or not.
  const transfer = () =>
    chain.clients.wallet.writeContract({
      chain: null,
      address: chain.deployment.treasury,
      abi: treasuryAbi,
      functionName: 'payout',
      args: [chain.deployment.forgeToken, privateKeyToAccount(generatePrivateKey()).address, 1000n],
    });
  const followedToHead = async () => {
    const head = Number(await chain.clients.public.getBlockNumber({ cacheTime: 0 }));
    const status = await graphql<{ chainStatus: { followedBlock: number | null } | null }>(platform.url, '{ chainStatus { followedBlock } }');
    return status.data?.chainStatus?.followedBlock === head ? head : undefined;
  };
  for (let i = 0; i < 3; i++) await transfer();
  await eventually('the follower to reach the head', followedToHead);

  const load = startLoad([chainStatus, me]);
  let whileGone: GraphQLResponse<unknown>;
  await platform.chainNode.close();
  try {
    // The chain goes on without the subgraph: these blocks and transfers are what it must catch up on.
    for (let i = 0; i < 3; i++) await transfer();
    await sleep(1_000);
    whileGone = await chainStatus();
  } finally {
    await platform.chainNode.open();
  }
  expect(whileGone.status).toBeLessThan(500);
  expect(errorCodes(whileGone)).toEqual(['RPC_UNAVAILABLE']);

  for (let i = 0; i < 3; i++) await transfer();
  await chain.mine(2); // every transfer deep enough to be CONFIRMED
  const head = await eventually('the follower to catch up to the head', followedToHead);
  const report = await load.stop();
  expectNoServerFailures(report);
  expect(report.codes.RPC_UNAVAILABLE).toBeGreaterThan(0);

  const onChain = await chain.clients.public.getLogs({ address: chain.deployment.forgeToken, event: TRANSFER_EVENT, fromBlock: 0n, toBlock: BigInt(head) });
  const stored = await blockchain.database.prisma.tokenTransfer.findMany({ orderBy: [{ blockNumber: 'asc' }, { logIndex: 'asc' }] });
  const key = (transfer: { txHash: string; logIndex: number }) => `${transfer.txHash}:${transfer.logIndex}`;
  expect(onChain.length).toBeGreaterThanOrEqual(9);
  expect(stored.map(key)).toEqual(onChain.map((log) => key({ txHash: log.transactionHash, logIndex: log.logIndex })));
  expect(stored.filter((transfer) => transfer.status !== 'CONFIRMED').map(key)).toEqual([]);
});

test('the router restarted while subscriptions are live: they end with a clear close code, and clients resubscribe to the new router, missing nothing', async () => {
  let lastSeen = '';
  await withLiveSubscription(async (feed) => {
    await platform.restartRouter();
    await eventually('the subscription to end', async () => (feed.errors.length > 0 || feed.ended ? true : undefined));
    expect(feed.errors).toHaveLength(1);
    expect(feed.errors[0]).toMatchObject({ code: 1001 });
    lastSeen = feed.events.at(-1)!.position;
  });
  // Paid while the client had no subscription: resuming after the last position it saw brings it.
  const missed = await payRetrying(randomUUID(), () => undefined);
  const resumed = subscribePayments(lastSeen);
  try {
    await eventually('the payment made between the subscriptions', async () => (resumed.events.some((event) => event.id === missed) ? true : undefined));
    expect(resumed.errors).toEqual([]);
  } finally {
    await resumed.dispose();
  }
  await withLiveSubscription(async (resubscribed) => expect(resubscribed.errors).toEqual([]));
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { LoginDocument, RegisterDocument, SetUserTierDocument } from '../../clients/generated/graphql';
import { bearer, execute, graphql, type UntypedData } from '@supergraph/testing';
import { eventStream } from './event-stream';
import { catalog, composeSupergraph, reviews, usersSdl, type FakeSubgraph } from './fleet';
import { startPlatform, type PlatformHarness } from './harness';

/** The users subgraph's URL comes from SUBGRAPH_USERS_URL (set by the harness), whatever the supergraph says. */
const USERS = { name: 'users', url: 'http://users.invalid/graphql', sdl: usersSdl() };
const PASSWORD = 'a long enough password';

let platform: PlatformHarness;
let folder: string;
let supergraphPath: string;
let fakes: FakeSubgraph[];
/** Users alone; users with a reviews subgraph (User.reviewCount) and a catalog (Query.products). */
let usersOnly: string;
let withReviewsAndCatalog: string;
let admin: string;
const clients: Client[] = [];

function supergraphOf(subgraphs: { name: string; url: string; sdl: string }[]): string {
  const composed = composeSupergraph(subgraphs);
  try {
    return readFileSync(composed.path, 'utf8');
  } finally {
    composed.cleanup();
  }
}

beforeAll(async () => {
  fakes = [await reviews(), await catalog()];
  usersOnly = supergraphOf([USERS]);
  withReviewsAndCatalog = supergraphOf([USERS, ...fakes]);
  folder = mkdtempSync(join(tmpdir(), 'reload-'));
  supergraphPath = join(folder, 'supergraph.graphql');
  writeFileSync(supergraphPath, usersOnly);
  platform = await startPlatform({ SUPERGRAPH_PATH: supergraphPath, ADMIN_EMAILS: 'admin@example.com' });
  admin = (await signUp('admin@example.com')).token;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});
afterAll(async () => {
  await platform?.stop();
  await Promise.all(fakes.map((fake) => fake.stop()));
  rmSync(folder, { recursive: true, force: true });
});

async function signUp(email: string): Promise<{ id: string; token: string }> {
  const registered = await execute(platform.graphqlUrl, RegisterDocument, { email, password: PASSWORD });
  const login = await execute(platform.graphqlUrl, LoginDocument, { email, password: PASSWORD });
  return { id: registered.data!.register.user.id, token: login.data!.login.token };
}

/** router_supergraph_reloads_total by outcome, from /metrics. */
async function reloadCounts(url = platform.routerUrl): Promise<{ success: number; failed: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const count = (outcome: string) => Number(new RegExp(`^router_supergraph_reloads_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { success: count('success'), failed: count('failed') };
}

/** Writes the supergraph file as `npm run compose` does and waits until the router has tried it. */
async function writeSupergraph(text: string): Promise<'success' | 'failed'> {
  const before = await reloadCounts();
  writeFileSync(supergraphPath, text);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const after = await reloadCounts();
    if (after.success > before.success) return 'success';
    if (after.failed > before.failed) return 'failed';
    if (Date.now() > deadline) throw new Error('the router did not reload the supergraph within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Back to users alone between tests (no reload when it already is). */
async function resetSupergraph(): Promise<void> {
  if (readFileSync(supergraphPath, 'utf8') !== usersOnly) await writeSupergraph(usersOnly);
}

function connect(token: string): Client {
  const client = createClient({ url: platform.graphqlUrl.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: bearer(token), retryAttempts: 0 });
  clients.push(client);
  return client;
}

/** One subscription's results and how it ended (null while it runs). */
function watch(client: Client, query: string) {
  const watched = { results: [] as ExecutionResult<UntypedData>[], ended: null as unknown };
  client.subscribe(
    { query },
    {
      next: (result) => void watched.results.push(result as ExecutionResult<UntypedData>),
      error: (error) => (watched.ended = error),
      complete: () => (watched.ended = 'complete'),
    },
  );
  return watched;
}

async function until(done: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Changes the user's tier until every watcher's latest event shows it (subscriptions go live asynchronously upstream). */
async function tierChangeSeen(userId: string, tier: string, watchers: { results: ExecutionResult<UntypedData>[] }[]): Promise<void> {
  const seen = () => watchers.every((watcher) => watcher.results.at(-1)?.data?.accountUpdated?.tier === tier);
  for (let attempt = 0; attempt < 5 && !seen(); attempt++) {
    const changed = await execute(platform.graphqlUrl, SetUserTierDocument, { userId, tier: tier as never }, bearer(admin));
    expect(changed.errors).toBeUndefined();
    await until(seen, `every subscription to see tier ${tier}`, 2_000).catch(() => undefined);
    // The next attempt must be a change: step away and back.
    if (!seen()) await execute(platform.graphqlUrl, SetUserTierDocument, { userId, tier: 'FREE' }, bearer(admin));
  }
  if (!seen()) throw new Error(`not every subscription saw tier ${tier}: ${JSON.stringify(watchers.map((watcher) => watcher.results.at(-1)))}`);
}

/** `{ products }`: served only while the catalog subgraph is in the supergraph. */
async function products(url = platform.graphqlUrl): Promise<unknown> {
  const response = await graphql<UntypedData>(url, '{ products { name } }');
  return response.errors ? response.errors[0]!.extensions?.code : response.data?.products;
}
const PRODUCTS = [{ name: 'lamp' }, { name: 'desk' }];

describe('live supergraph reload', () => {
  beforeEach(resetSupergraph);

  it('serves a field a new supergraph adds, as soon as the file changes', async () => {
    expect(await products()).toBe('GRAPHQL_VALIDATION_FAILED');

    expect(await writeSupergraph(withReviewsAndCatalog)).toBe('success');
    expect(await products()).toEqual(PRODUCTS);

    // And back: the field is gone again.
    expect(await writeSupergraph(usersOnly)).toBe('success');
    expect(await products()).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a broken supergraph, counts it, and keeps serving the previous one', async () => {
    expect(await writeSupergraph(withReviewsAndCatalog)).toBe('success');
    const counts = await reloadCounts();

    // A half-written file, text that is not a supergraph at all, and a supergraph linking an
    // authorization feature the router does not enforce (@policy), which must never serve unenforced.
    expect(await writeSupergraph(withReviewsAndCatalog.slice(0, withReviewsAndCatalog.length / 2))).toBe('failed');
    expect(await writeSupergraph('type Query { hello: String }')).toBe('failed');
    const unenforced = withReviewsAndCatalog.replace(/^schema\n/, 'schema\n  @link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)\n');
    expect(unenforced).not.toBe(withReviewsAndCatalog);
    expect(await writeSupergraph(unenforced)).toBe('failed');

    expect(await reloadCounts()).toEqual({ success: counts.success, failed: counts.failed + 3 });
    expect(await products()).toEqual(PRODUCTS);
  });

  it('finishes a query in flight on the supergraph it started on', async () => {
    expect(await writeSupergraph(withReviewsAndCatalog)).toBe('success');
    const catalogSubgraph = fakes[1]!;
    let release = () => {};
    catalogSubgraph.hold = new Promise<void>((resolve) => (release = resolve));
    const seen = catalogSubgraph.requests.length;
    const inFlight = products();
    await until(() => catalogSubgraph.requests.length > seen, 'the query to reach the catalog subgraph');

    // The catalog leaves the supergraph while the query waits on it.
    expect(await writeSupergraph(usersOnly)).toBe('success');
    expect(await products()).toBe('GRAPHQL_VALIDATION_FAILED');
    catalogSubgraph.hold = undefined;
    release();
    expect(await inFlight).toEqual(PRODUCTS);
  });

  it('keeps subscriptions running across a reload (graphql-ws and SSE), and ends one whose field the reload removes with SUBSCRIPTION_SCHEMA_CHANGED', async () => {
    expect(await writeSupergraph(withReviewsAndCatalog)).toBe('success');
    const user = await signUp('across@example.com');
    const client = connect(user.token);
    const kept = watch(client, 'subscription { accountUpdated { id tier } }');
    const removed = watch(client, 'subscription { accountUpdated { id tier reviewCount } }');
    // The same over Server-Sent Events: its first event before the reload, its second after.
    const overSse = await fetch(platform.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(user.token) },
      body: JSON.stringify({ query: 'subscription { accountUpdated { tier } }' }),
    });
    const sse = eventStream(overSse);
    const overSseWatcher = { results: sse.events as ExecutionResult<UntypedData>[] };
    await tierChangeSeen(user.id, 'PRO', [kept, removed, overSseWatcher]);
    expect(removed.results.at(-1)).toEqual({
      data: { accountUpdated: { id: user.id, tier: 'PRO', reviewCount: 3 } },
      extensions: { position: expect.stringMatching(/^\d+-\d+$/) },
    });

    expect(await writeSupergraph(usersOnly)).toBe('success');
    await until(() => removed.ended !== null, 'the subscription reading reviewCount to end');
    expect(removed.results.at(-1)?.errors?.[0]).toMatchObject({ extensions: { code: 'SUBSCRIPTION_SCHEMA_CHANGED' } });
    expect(removed.results.at(-1)?.errors?.[0]?.message).toMatch(/reviewCount/);
    expect(removed.ended).toBe('complete');

    await tierChangeSeen(user.id, 'ENTERPRISE', [kept, overSseWatcher]);
    await sse.stop();
    expect(kept.ended).toBeNull();
    for (const watcher of [kept, overSseWatcher]) expect(watcher.results.every((result) => result.errors === undefined)).toBe(true);
  });

  it('loses no query and ends no valid subscription under load across ten reloads, valid and invalid alternating', async () => {
    const user = await signUp('load@example.com');
    // 100 subscriptions over 4 sockets (MAX_SUBSCRIPTIONS_PER_CONNECTION is 100).
    const sockets = [0, 1, 2, 3].map(() => connect(user.token));
    const watchers = Array.from({ length: 100 }, (_, index) => watch(sockets[index % 4]!, 'subscription { accountUpdated { id tier } }'));
    const tiers = ['PRO', 'ENTERPRISE'];
    await tierChangeSeen(user.id, tiers[1]!, watchers);

    // Bounded load: four callers querying back to back until the reloads are done.
    let running = true;
    const failures: unknown[] = [];
    let answered = 0;
    const caller = async () => {
      while (running) {
        const response = await graphql<UntypedData>(platform.graphqlUrl, '{ me { id } }', {}, bearer(user.token)).catch((error: unknown) => ({
          status: 0,
          data: undefined,
          errors: [error],
        }));
        if (response.status === 200 && response.data?.me?.id === user.id && !response.errors) answered++;
        else failures.push(response);
      }
    };
    const callers = [caller(), caller(), caller(), caller()];

    const outcomes: string[] = [];
    const started = await reloadCounts();
    for (let reload = 0; reload < 10; reload++) {
      const valid = reload % 2 === 0;
      const next = reload % 4 === 0 ? withReviewsAndCatalog : usersOnly;
      outcomes.push(await writeSupergraph(valid ? next : `${next.slice(0, 200)} broken`));
      // Every subscription is still live: the next change reaches all 100.
      await tierChangeSeen(user.id, tiers[reload % 2]!, watchers);
    }
    running = false;
    await Promise.all(callers);

    expect(outcomes).toEqual(['success', 'failed', 'success', 'failed', 'success', 'failed', 'success', 'failed', 'success', 'failed']);
    expect(await reloadCounts()).toEqual({ success: started.success + 5, failed: started.failed + 5 });
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(0);
    expect(watchers.filter((watcher) => watcher.ended !== null)).toHaveLength(0);
    expect(watchers.filter((watcher) => watcher.results.some((result) => result.errors))).toHaveLength(0);
  });
});

describe('supergraph from a URL', () => {
  it('polls SUPERGRAPH_URL with If-None-Match and serves what it returns', async () => {
    let served = usersOnly;
    const conditional: (string | undefined)[] = [];
    const registry: Server = createServer((request, response) => {
      const etag = `"${served.length}"`;
      conditional.push(request.headers['if-none-match']);
      if (request.headers['if-none-match'] === etag) {
        response.writeHead(304).end();
        return;
      }
      response.writeHead(200, { etag, 'content-type': 'text/plain' }).end(served);
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    const startingPath = join(folder, 'starting.graphql');
    writeFileSync(startingPath, usersOnly);
    const polled = await startPlatform({
      SUPERGRAPH_PATH: startingPath,
      SUPERGRAPH_WATCH: 'false',
      SUPERGRAPH_URL: `http://127.0.0.1:${(registry.address() as AddressInfo).port}/supergraph.graphql`,
      SUPERGRAPH_POLL_INTERVAL_MS: '100',
    });
    try {
      await until(() => conditional.length >= 3, 'three polls');
      // Unchanged: conditional requests, answered 304.
      expect(conditional.slice(1, 3)).toEqual([`"${usersOnly.length}"`, `"${usersOnly.length}"`]);

      served = withReviewsAndCatalog;
      const deadline = Date.now() + 5_000;
      while ((await reloadCounts(polled.routerUrl)).success < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await products(polled.graphqlUrl)).toEqual(PRODUCTS);
    } finally {
      await polled.stop();
      await new Promise((resolve) => registry.close(resolve));
    }
  });
});

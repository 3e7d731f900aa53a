import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { LoginDocument, RegisterDocument, SetUserTierDocument } from '../../clients/generated/graphql';
import { issueAccessToken } from '@supergraph/identity';
import { InProcessEventBus } from '@supergraph/pubsub';
import { bearer, errorCodes, execute } from '@supergraph/testing';
import { readEvents } from './event-stream';
import { startPlatform, type PlatformHarness } from './harness';

let platform: PlatformHarness;
const clients: Client[] = [];
/** Every bus-fed event carries its position, where its subscriber would resume after. */
const POSITIONED = { position: expect.stringMatching(/^\d+-\d+$/) as unknown };
beforeAll(async () => {
  platform = await startPlatform({ ADMIN_EMAILS: 'admin@example.com', MAX_SUBSCRIPTIONS_PER_CONNECTION: '3', MAX_SUBSCRIPTIONS_PER_CALLER: '5' });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});
afterAll(() => platform?.stop());

async function signUp(email: string) {
  const password = 'a long enough password';
  const registered = await execute(platform.graphqlUrl, RegisterDocument, { email, password });
  const login = await execute(platform.graphqlUrl, LoginDocument, { email, password });
  return { id: registered.data!.register.user.id, token: login.data!.login.token };
}

function connect(connectionParams: Record<string, string> = {}): Client {
  const client = createClient({ url: platform.graphqlUrl.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams, retryAttempts: 0 });
  clients.push(client);
  return client;
}

/** Collects a subscription's results; `next(n)` waits for the n-th. */
function collect(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: ExecutionResult[] = [];
  let ended: unknown = null;
  let wake = () => {};
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (result) => {
        results.push(result as ExecutionResult);
        wake();
      },
      error: (error) => {
        ended = error;
        wake();
      },
      complete: () => {
        ended = 'complete';
        wake();
      },
    },
  );
  const until = async (done: () => boolean, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out; results so far: ${JSON.stringify(results)}, ended: ${JSON.stringify(ended)}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  };
  return {
    results,
    unsubscribe,
    ended: () => ended,
    next: async (count: number) => {
      await until(() => results.length >= count);
      return results[count - 1]!;
    },
    end: async () => {
      await until(() => ended !== null);
      return ended;
    },
  };
}

/** Subscriptions start asynchronously upstream; give the subgraph a moment to register them. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));

describe('subscriptions through the router over graphql-ws', () => {
  it('delivers a change made by a mutation to the subscriber, with aliases and variables honoured', async () => {
    const user = await signUp('subscriber@example.com');
    const admin = await signUp('admin@example.com');
    const client = connect({ authorization: `Bearer ${user.token}` });
    const events = collect(
      client,
      `subscription Account($withWallets: Boolean!) {
      account: accountUpdated { userId: id plan: tier walletAddresses @include(if: $withWallets) }
    }`,
      { withWallets: false },
    );
    await settle();

    const changed = await execute(platform.graphqlUrl, SetUserTierDocument, { userId: user.id, tier: 'PRO' }, bearer(admin.token));
    expect(changed.errors).toBeUndefined();
    expect(await events.next(1)).toEqual({ data: { account: { userId: user.id, plan: 'PRO' } }, extensions: POSITIONED });
  });

  it("does not deliver another user's changes", async () => {
    const watcher = await signUp('watcher@example.com');
    const other = await signUp('other@example.com');
    const admin = await signUp('admin2@example.com');
    await execute(platform.graphqlUrl, SetUserTierDocument, { userId: admin.id, tier: 'FREE' }, bearer(admin.token)).catch(() => undefined);
    const events = collect(connect({ authorization: `Bearer ${watcher.token}` }), 'subscription { accountUpdated { id tier } }');
    await settle();
    // admin2 is not an admin (only admin@example.com is), so sign in as the real one.
    const realAdmin = await execute(platform.graphqlUrl, LoginDocument, { email: 'admin@example.com', password: 'a long enough password' });
    const token = realAdmin.data!.login.token;
    await execute(platform.graphqlUrl, SetUserTierDocument, { userId: other.id, tier: 'ENTERPRISE' }, bearer(token));
    await execute(platform.graphqlUrl, SetUserTierDocument, { userId: watcher.id, tier: 'ENTERPRISE' }, bearer(token));
    expect(await events.next(1)).toEqual({ data: { accountUpdated: { id: watcher.id, tier: 'ENTERPRISE' } }, extensions: POSITIONED });
    expect(events.results).toHaveLength(1);
  });

  it('runs queries and mutations over the same socket', async () => {
    const user = await signUp('socket@example.com');
    const client = connect({ authorization: `Bearer ${user.token}` });
    const me = collect(client, '{ me { id email } }');
    expect(await me.next(1)).toEqual({ data: { me: { id: user.id, email: 'socket@example.com' } } });
    const nonce = collect(client, 'mutation { siweNonce { domain } }');
    expect(await nonce.next(1)).toEqual({ data: { siweNonce: { domain: 'localhost:4000' } } }); // SIWE_DOMAIN's default
  });

  it('refuses anonymous subscribers of private data and bad credentials at connection', async () => {
    const anonymous = collect(connect(), 'subscription { accountUpdated { id } }');
    expect(errorCodes((await anonymous.next(1)) as never)).toEqual(['UNAUTHENTICATED']);

    const forged = collect(connect({ authorization: 'Bearer not.a.token' }), '{ __typename }');
    const closed = (await forged.end()) as { code: number; reason: string };
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/malformed/);
  });

  it('limits the operations running at once on one connection', async () => {
    const user = await signUp('limits@example.com');
    const client = connect({ authorization: `Bearer ${user.token}` });
    const running = [1, 2, 3].map(() => collect(client, 'subscription { accountUpdated { id } }'));
    await settle();
    const refused = collect(client, 'subscription { accountUpdated { id } }');
    const ended = (await refused.end()) as { message: string; extensions: { code: string } }[];
    expect(ended[0]!.extensions.code).toBe('SUBSCRIPTION_LIMIT_EXCEEDED');
    running[0]!.unsubscribe();
    await settle();
    const admitted = collect(client, '{ me { id } }');
    expect(await admitted.next(1)).toEqual({ data: { me: { id: user.id } } });
  });

  it('limits the subscriptions one caller runs at once over all its connections, and counts ended ones out', async () => {
    const user = await signUp('caller-limit@example.com');
    const subscribe = (client: Client) => collect(client, 'subscription { accountUpdated { id } }');
    const first = connect({ authorization: `Bearer ${user.token}` });
    const second = connect({ authorization: `Bearer ${user.token}` });
    const running = [subscribe(first), subscribe(first), subscribe(first), subscribe(second), subscribe(second)];
    await settle();
    expect(running.map((subscription) => subscription.ended())).toEqual([null, null, null, null, null]);

    const refused = subscribe(second);
    await refused.next(1);
    expect(errorCodes(refused.results[0] as never)).toEqual(['SUBSCRIPTION_LIMIT_EXCEEDED']);
    expect(await refused.end()).toBe('complete');
    // Another caller is not affected.
    const other = await signUp('caller-limit-other@example.com');
    const unaffected = subscribe(connect({ authorization: `Bearer ${other.token}` }));

    running[0]!.unsubscribe();
    await settle();
    const admitted = subscribe(second);
    await settle();
    expect(admitted.ended()).toBeNull();
    expect(unaffected.ended()).toBeNull();
    expect(admitted.results).toEqual([]);
  });

  it('ends a subscription with UNAUTHENTICATED at its first event after its access token expired', async () => {
    const user = await signUp('expiring@example.com');
    const tokens = platform.config.jwt;
    const admin = await issueAccessToken({ userId: '00000000-0000-4000-8000-00000000000a', roles: ['USER', 'ADMIN'], tier: 'FREE' }, tokens);
    const shortLived = await issueAccessToken({ userId: user.id, roles: ['USER'], tier: 'FREE' }, { ...tokens, ttlSeconds: 2 });
    const expiring = collect(connect(bearer(shortLived.token)), 'subscription { accountUpdated { id tier } }');
    const lasting = collect(connect(bearer(user.token)), 'subscription { accountUpdated { id tier } }');
    await settle();
    const setTier = (tier: 'PRO' | 'ENTERPRISE') => execute(platform.graphqlUrl, SetUserTierDocument, { userId: user.id, tier }, bearer(admin.token));

    await setTier('PRO');
    expect(await expiring.next(1)).toEqual({ data: { accountUpdated: { id: user.id, tier: 'PRO' } }, extensions: POSITIONED });
    await new Promise((resolve) => setTimeout(resolve, shortLived.expiresAt.getTime() - Date.now() + 200));
    await setTier('ENTERPRISE');

    expect(errorCodes((await expiring.next(2)) as never)).toEqual(['UNAUTHENTICATED']);
    expect(await expiring.end()).toBe('complete');
    expect(await lasting.next(2)).toEqual({ data: { accountUpdated: { id: user.id, tier: 'ENTERPRISE' } }, extensions: POSITIONED });
  });

  it('tears the upstream subscription down when the client unsubscribes', async () => {
    const bus = platform.users.events as InProcessEventBus;
    const user = await signUp('teardown@example.com');
    const events = collect(connect({ authorization: `Bearer ${user.token}` }), 'subscription { accountUpdated { id } }');
    await settle();
    expect(bus.activeChannels).toBe(1);
    events.unsubscribe();
    await settle();
    expect(bus.activeChannels).toBe(0);
  });

  it('shares one upstream subscription, and one completed result per event, among subscribers of the same operation, variables and identity', async () => {
    const bus = platform.users.events as InProcessEventBus;
    const user = await signUp('shared@example.com');
    const tokens = platform.config.jwt;
    const admin = await issueAccessToken({ userId: '00000000-0000-4000-8000-00000000000a', roles: ['USER', 'ADMIN'], tier: 'FREE' }, tokens);
    const query = 'subscription { accountUpdated { id tier } }';
    const first = collect(connect(bearer(user.token)), query);
    const second = collect(connect(bearer(user.token)), query);
    const aliased = collect(connect(bearer(user.token)), 'subscription { account: accountUpdated { id tier } }');
    await settle();
    // The two identical ones share; the aliased one is another document, so another upstream subscription.
    expect(bus.activeSubscriptions).toBe(2);

    await execute(platform.graphqlUrl, SetUserTierDocument, { userId: user.id, tier: 'PRO' }, bearer(admin.token));
    expect(await first.next(1)).toEqual({ data: { accountUpdated: { id: user.id, tier: 'PRO' } }, extensions: POSITIONED });
    expect(await second.next(1)).toEqual({ data: { accountUpdated: { id: user.id, tier: 'PRO' } }, extensions: POSITIONED });
    expect(await aliased.next(1)).toEqual({ data: { account: { id: user.id, tier: 'PRO' } }, extensions: POSITIONED });

    // One leaves; the other keeps its events. The last one out ends the upstream subscription.
    first.unsubscribe();
    await execute(platform.graphqlUrl, SetUserTierDocument, { userId: user.id, tier: 'ENTERPRISE' }, bearer(admin.token));
    expect(await second.next(2)).toEqual({ data: { accountUpdated: { id: user.id, tier: 'ENTERPRISE' } }, extensions: POSITIONED });
    expect(first.results).toHaveLength(1);
    expect(bus.activeSubscriptions).toBe(2);
    second.unsubscribe();
    aliased.unsubscribe();
    await settle();
    expect(bus.activeSubscriptions).toBe(0);
  });

  it('ends subscriptions with SUBSCRIPTION_SOURCE_LOST when their subgraph goes away', async () => {
    const separate = await startPlatform();
    try {
      const password = 'a long enough password';
      await execute(separate.graphqlUrl, RegisterDocument, { email: 'lost@example.com', password });
      const { token } = (await execute(separate.graphqlUrl, LoginDocument, { email: 'lost@example.com', password })).data!.login;
      const client = createClient({
        url: separate.graphqlUrl.replace('http', 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: bearer(token),
        retryAttempts: 0,
      });
      clients.push(client);
      const events = collect(client, 'subscription { accountUpdated { id } }');
      await settle();
      await separate.users.stop();
      expect(errorCodes((await events.next(1)) as never)).toEqual(['SUBSCRIPTION_SOURCE_LOST']);
      expect(await events.end()).toBe('complete');
      // What SupergraphSubscriptionSourceLost alerts on.
      const metrics = await (await fetch(separate.graphqlUrl.replace(/\/graphql$/, '/metrics'))).text();
      expect(metrics).toContain('router_subscriptions_ended_total{subgraph="users",reason="source_lost"} 1');
    } finally {
      await separate.stop();
    }
  });
});

describe('subscriptions over Server-Sent Events', () => {
  it('streams federated subscription events to an authenticated SSE client', async () => {
    const user = await signUp('sse@example.com');
    const admin = (await execute(platform.graphqlUrl, LoginDocument, { email: 'admin@example.com', password: 'a long enough password' })).data!.login;
    const response = await fetch(platform.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(user.token) },
      body: JSON.stringify({ query: 'subscription { accountUpdated { id tier } }' }),
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const received = readEvents(response, 1);
    await settle();
    await execute(platform.graphqlUrl, SetUserTierDocument, { userId: user.id, tier: 'PRO' }, bearer(admin.token));
    expect(await received).toEqual([{ data: { accountUpdated: { id: user.id, tier: 'PRO' } }, extensions: POSITIONED }]);
  });

  it('refuses bad credentials with 401 before streaming', async () => {
    const response = await fetch(platform.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer nope' },
      body: JSON.stringify({ query: 'subscription { accountUpdated { id } }' }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });
});

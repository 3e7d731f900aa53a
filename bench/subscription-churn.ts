/**
 * Subscription churn: 10,000 subscribe/unsubscribe cycles through the router over graphql-ws,
 * each reaching the users subgraph, then the router's heap after a full GC compared with before.
 * Runs the router and the users subgraph in this process on an embedded PGlite, so it needs no
 * services. Bounded: a fixed number of cycles.
 *
 *   node --expose-gc --import tsx bench/subscription-churn.ts [--cycles 10000] [--batch 50]
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { InProcessEventBus } from '@supergraph/pubsub';
import { testConfig, quietLogger } from '@supergraph/testing';
import { startUsersSubgraph } from '@supergraph/users/src/app';
import { startRouter } from '../router/src/app';

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const CYCLES = arg('cycles', 10_000);
const BATCH = arg('batch', 50);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

async function main(): Promise<void> {
  if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with node --expose-gc');
  const usersConfig = testConfig('users');
  const users = await startUsersSubgraph(usersConfig.config, quietLogger('users'));
  const { config, cleanup } = testConfig('router', { MAX_SUBSCRIPTIONS_PER_CONNECTION: String(BATCH * 2), SUBGRAPH_USERS_URL: `${users.url}/graphql` });
  const router = await startRouter(config, quietLogger('router'));
  const graphqlUrl = `${router.url}/graphql`;
  try {
    const password = 'a long enough password';
    const register = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { register(email: "churn@example.com", password: "${password}") { token } }` }),
    });
    const { data } = (await register.json()) as { data: { register: { token: string } } };
    const client = createClient({
      url: graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${data.register.token}` },
    });

    const bus = users.events as InProcessEventBus;
    const batch = async () => {
      const unsubscribers = Array.from({ length: BATCH }, () =>
        client.subscribe({ query: 'subscription { accountUpdated { id tier } }' }, { next: () => {}, error: () => {}, complete: () => {} }),
      );
      await pause(20);
      for (const unsubscribe of unsubscribers) unsubscribe();
      await pause(5);
    };

    for (let i = 0; i < 10; i++) await batch(); // warm-up: JIT, pools, caches
    await pause(200);
    const before = heapMb();
    const started = performance.now();
    for (let done = 0; done < CYCLES; done += BATCH) await batch();
    await pause(500);
    const seconds = (performance.now() - started) / 1000;
    const after = heapMb();
    await client.dispose();
    await pause(200);

    const report = {
      cycles: CYCLES,
      seconds: Number(seconds.toFixed(1)),
      cyclesPerSecond: Math.round(CYCLES / seconds),
      heapBeforeMb: Number(before.toFixed(1)),
      heapAfterMb: Number(after.toFixed(1)),
      heapGrowthMb: Number((after - before).toFixed(1)),
      subgraphChannelsLeft: bus.activeChannels,
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await router.stop();
    await users.stop();
    cleanup();
    usersConfig.cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

/**
 * Subscription fan-out: S graphql-ws subscribers (one WebSocket each) through the router to one
 * subscription, `accountUpdated` of one user; an admin changes that user's tier E times, and each
 * subscriber timestamps the event's arrival. Latency runs from the moment the benchmark sends the
 * `setUserTier` mutation (the trigger) to the arrival, so it includes the mutation itself, the
 * users subgraph, Redis, the router and the client. Also the router's memory after a full GC with
 * no subscriber and with all S live. Prints the figures as JSON.
 *
 *   node --import tsx bench/subscription-fanout.ts [--subscribers 1000] [--events 20]
 *
 * The router and the users subgraph each run in a process of their own (bench/service-process.ts)
 * on a scratch database on the real PostgreSQL and the real Redis; the subscribers live in this
 * process, so their own event loop is part of the measured latency.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { EVENT_CHANNEL_PREFIX, bearer, createTestDatabase, graphql } from '@supergraph/testing';
import { forkService, type Service } from './forked-service';

const option = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const SUBSCRIBERS = option('subscribers', 1000);
const EVENTS = option('events', 20);
const TIERS = ['PRO', 'ENTERPRISE', 'FREE'] as const;
const DELIVERY_TIMEOUT_MS = 60_000;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';

/** Every subscriber's arrivals, and a way to wait until the subscribers as a whole reach a state. */
class Deliveries {
  readonly arrivals: number[][];
  readonly lastTier: (string | undefined)[];
  private waiter: { done: () => boolean; resolve: () => void } | undefined;

  constructor(count: number) {
    this.arrivals = Array.from({ length: count }, () => []);
    this.lastTier = Array.from({ length: count }, () => undefined);
  }

  record(subscriber: number, tier: string): void {
    this.arrivals[subscriber]!.push(performance.now());
    this.lastTier[subscriber] = tier;
    if (this.waiter?.done()) this.waiter.resolve();
  }

  /** Resolves once `done()` holds (checked at each arrival); fails after `timeoutMs`. */
  until(done: () => boolean, what: string, timeoutMs = DELIVERY_TIMEOUT_MS): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiter = { done, resolve: () => (clearTimeout(timer), (this.waiter = undefined), resolve()) };
    });
  }

  /** Every subscriber's last event has `tier`: whatever was sent before it has arrived too (one socket keeps order). */
  allAt(tier: string): boolean {
    return this.lastTier.every((last) => last === tier);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const megabytes = (bytes: number) => Number((bytes / 1024 / 1024).toFixed(1));
const kilobytes = (bytes: number) => Number((bytes / 1024).toFixed(1));

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-fanout-'));
  const database = await createTestDatabase('bench_fanout_users');
  const services: Service[] = [];
  const clients: Client[] = [];
  try {
    const shared = {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'error',
      ROUTER_SIGNING_SECRET: 'bench-router-signing-secret',
      JWT_SECRET: 'bench-jwt-secret-that-is-long-enough',
      REDIS_URL,
      EVENT_CHANNEL_PREFIX,
      ADMIN_EMAILS: 'fanout-admin@example.com',
    };
    const users = await forkService('users', { ...shared, USERS_PORT: '0', USERS_DATABASE_URL: database.url });
    services.push(users);
    const router = await forkService('router', {
      ...shared,
      ROUTER_PORT: '0',
      SUBGRAPH_USERS_URL: `${users.url}/graphql`,
      RATE_LIMIT_PER_MINUTE: '0',
      // Every subscriber is the same user: the per-caller cap (500 by default) would refuse half of them.
      MAX_SUBSCRIPTIONS_PER_CALLER: '0',
    });
    services.push(router);
    const url = `${router.url}/graphql`;

    const register = async (email: string) => {
      const response = await graphql<{ register: { token: string; user: { id: string } } }>(
        url,
        'mutation ($email: String!) { register(email: $email, password: "correct horse battery") { token user { id } } }',
        { email },
      );
      if (response.errors) throw new Error(JSON.stringify(response.errors));
      return response.data!.register;
    };
    const admin = await register('fanout-admin@example.com');
    const watched = await register('fanout-watched@example.com');
    let triggers = 0;
    /** Changes the watched user's tier (through the router, as the admin); returns when it was sent and the tier. */
    const trigger = async () => {
      const tier = TIERS[triggers++ % TIERS.length]!;
      const sentAt = performance.now();
      const response = await graphql(
        url,
        'mutation ($id: ID!, $tier: Tier!) { setUserTier(userId: $id, tier: $tier) { tier } }',
        { id: watched.user.id, tier },
        bearer(admin.token),
      );
      if (response.errors) throw new Error(JSON.stringify(response.errors));
      return { tier, sentAt, mutationMs: performance.now() - sentAt };
    };

    const deliveries = new Deliveries(SUBSCRIBERS);
    const subscribe = (subscriber: number) =>
      new Promise<void>((connected, failed) => {
        const client = createClient({
          url: url.replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          connectionParams: bearer(watched.token),
          retryAttempts: 0,
          on: { connected: () => connected(), closed: (event) => failed(new Error(`subscriber ${subscriber} closed: ${JSON.stringify(event)}`)) },
        });
        clients.push(client);
        client.subscribe(
          { query: 'subscription { accountUpdated { id tier } }' },
          {
            next: (result) => {
              const tier = (result.data as { accountUpdated?: { tier: string } } | undefined)?.accountUpdated?.tier;
              if (result.errors || !tier) return failed(new Error(JSON.stringify(result)));
              deliveries.record(subscriber, tier);
            },
            error: (error) => failed(error instanceof Error ? error : new Error(JSON.stringify(error))),
            complete: () => {},
          },
        );
      });

    // The router with no subscriber, after one query and one mutation warmed it up.
    await trigger();
    const before = await router.memory();

    // Connect in slices, as a crowd of browsers would, not in one burst of SUBSCRIBERS handshakes.
    const connecting = performance.now();
    for (let first = 0; first < SUBSCRIBERS; first += 100) {
      await Promise.all(Array.from({ length: Math.min(100, SUBSCRIBERS - first) }, (_, i) => subscribe(first + i)));
    }
    const connectSeconds = (performance.now() - connecting) / 1000;
    // A subscription goes live upstream asynchronously: trigger until every subscriber has had the latest event.
    for (;;) {
      const { tier } = await trigger();
      const live = await deliveries
        .until(() => deliveries.allAt(tier), 'every subscriber to go live', 5_000)
        .then(
          () => true,
          () => false,
        );
      if (live) break;
      if (triggers > 20) throw new Error('the subscribers did not all go live after 20 events');
    }
    const during = await router.memory();

    const latencies: number[] = [];
    const firstDelivery: number[] = [];
    const lastDelivery: number[] = [];
    const mutationMs: number[] = [];
    for (let event = 0; event < EVENTS; event++) {
      const counts = deliveries.arrivals.map((arrivals) => arrivals.length);
      const sent = await trigger();
      mutationMs.push(sent.mutationMs);
      await deliveries.until(() => deliveries.allAt(sent.tier), `event ${event} to reach every subscriber`);
      const arrivals = deliveries.arrivals.map((arrivals, subscriber) => {
        if (arrivals.length !== counts[subscriber]! + 1)
          throw new Error(`subscriber ${subscriber} got ${arrivals.length - counts[subscriber]!} events for one trigger`);
        return arrivals.at(-1)! - sent.sentAt;
      });
      latencies.push(...arrivals);
      firstDelivery.push(Math.min(...arrivals));
      lastDelivery.push(Math.max(...arrivals));
    }

    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const ms = (value: number) => Number(value.toFixed(1));
    const all = sorted(latencies);
    console.log(
      JSON.stringify(
        {
          subscribers: SUBSCRIBERS,
          events: EVENTS,
          deliveries: latencies.length,
          connectSeconds: Number(connectSeconds.toFixed(1)),
          latencyMs: { p50: ms(percentile(all, 50)), p99: ms(percentile(all, 99)), max: ms(all.at(-1)!) },
          // Per event, medians over the events: when the first and the last subscriber had it.
          firstDeliveryMedianMs: ms(percentile(sorted(firstDelivery), 50)),
          lastDeliveryMedianMs: ms(percentile(sorted(lastDelivery), 50)),
          mutationMedianMs: ms(percentile(sorted(mutationMs), 50)),
          router: {
            heapBeforeMb: megabytes(before.heapUsed),
            heapWithSubscribersMb: megabytes(during.heapUsed),
            rssBeforeMb: megabytes(before.rss),
            rssWithSubscribersMb: megabytes(during.rss),
            heapPerSubscriberKb: kilobytes((during.heapUsed - before.heapUsed) / SUBSCRIBERS),
            rssPerSubscriberKb: kilobytes((during.rss - before.rss) / SUBSCRIBERS),
          },
        },
        null,
        2,
      ),
    );
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
    for (const service of services.reverse()) await service.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

import { randomUUID } from 'node:crypto';
import type { PaymentsServiceConfig } from '@supergraph/config';
import type { Identity } from '@supergraph/identity';
import { RedisEventBus } from '@supergraph/pubsub';
import { asRouter, HarnessStack, graphql, quietLogger, type GraphQLResponse, EVENT_CHANNEL_PREFIX, type UntypedData } from '@supergraph/testing';
import { startUsersSubgraph, type UsersSubgraph } from '@supergraph/users/src/app';
import { startPaymentsSubgraph, type PaymentsDependencies, type PaymentsSubgraph } from '../src/app';
import type { PrismaClient } from '../src/generated/prisma/client';
import { LocalStripe } from '../src/stripe/local-stripe';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
export const STRIPE_SECRET_KEY = 'sk_test_payments_harness';
export const STRIPE_WEBHOOK_SECRET = 'whsec_payments_harness';

/**
 * A payments subgraph on a fresh Postgres database and real Redis, with the SDK pointed at a
 * LocalStripe the test controls (STRIPE_API_HOST/PORT/PROTOCOL, as an operator would set them),
 * and a real users subgraph (its own database) behind USERS_URL for the tier changes.
 */
export interface PaymentsHarness {
  config: PaymentsServiceConfig;
  url: string;
  subgraph: PaymentsSubgraph;
  users: UsersSubgraph;
  stripe: LocalStripe;
  prisma: PrismaClient;
  call<T = UntypedData>(query: string, variables?: Record<string, unknown>, identity?: Identity): Promise<GraphQLResponse<T>>;
  callUsers<T = UntypedData>(query: string, variables?: Record<string, unknown>, identity?: Identity): Promise<GraphQLResponse<T>>;
  /** Registers a user in the users subgraph; returns its id and identity. */
  register(): Promise<{ userId: string; identity: Identity }>;
  /** The tier the users subgraph has for a user. */
  tierOf(userId: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startPaymentsHarness(options: { env?: Record<string, string>; dependencies?: PaymentsDependencies } = {}): Promise<PaymentsHarness> {
  const stack = new HarnessStack();
  return stack.starting(async () => {
    const usersDb = await stack.database('payments_users');
    const paymentsDb = await stack.database('payments');
    const stripe = await stack.add(LocalStripe.start({ secretKey: STRIPE_SECRET_KEY, webhookSecret: STRIPE_WEBHOOK_SECRET }));
    const users = await stack.add(
      startUsersSubgraph(stack.config('users', { USERS_DATABASE_URL: usersDb.url, REDIS_URL, ...options.env }), quietLogger('users')),
    );
    const config = stack.config('payments', {
      PAYMENTS_PORT: '0',
      PAYMENTS_DATABASE_URL: paymentsDb.url,
      USERS_URL: `${users.url}/graphql`,
      REDIS_URL,
      STRIPE_SECRET_KEY,
      STRIPE_WEBHOOK_SECRET,
      STRIPE_API_HOST: stripe.host,
      STRIPE_API_PORT: String(stripe.port),
      STRIPE_API_PROTOCOL: 'http',
      OUTBOX_POLL_MS: '50',
      // No blockchain subgraph unless a test starts one: never a developer's on the default port.
      BLOCKCHAIN_URL: 'http://127.0.0.1:9/graphql',
      // No fraud screening unless a test starts an AI subgraph and sets a threshold: unscored payments would all be held.
      FRAUD_REVIEW_THRESHOLD: 'off',
      ...options.env,
    });
    const subgraph = await stack.add(startPaymentsSubgraph(config, quietLogger('payments'), options.dependencies));
    stripe.webhookUrl = `${subgraph.url}/webhooks/stripe`;

    const url = `${subgraph.url}/graphql`;
    const callUsers = <T>(query: string, variables: Record<string, unknown> = {}, identity: Identity = { kind: 'anonymous' }) =>
      graphql<T>(`${users.url}/graphql`, query, variables, asRouter(identity, config.routerSigningSecret));
    return {
      config,
      url,
      subgraph,
      users,
      stripe,
      prisma: subgraph.database.prisma,
      call: (query, variables = {}, identity = { kind: 'anonymous' }) => graphql(url, query, variables, asRouter(identity, config.routerSigningSecret)),
      callUsers,
      register: async () => {
        const response = await callUsers<{ register: { user: { id: string } } }>(
          'mutation ($email: String!) { register(email: $email, password: "correct horse battery") { user { id } } }',
          { email: `${randomUUID()}@example.com` },
        );
        const userId = response.data!.register.user.id;
        return { userId, identity: userIdentity(userId) };
      },
      tierOf: async (userId) => {
        const response = await callUsers<{ user: { tier: string } }>('query ($id: ID!) { user(id: $id) { tier } }', { id: userId }, userIdentity(userId));
        return response.data!.user.tier;
      },
      stop: () => stack.stop(),
    };
  });
}

export function userIdentity(userId: string, roles: ('USER' | 'ADMIN')[] = ['USER'], scopes = ['*']): Identity {
  return { kind: 'user', userId, roles, tier: 'FREE', scopes, via: scopes.includes('*') ? 'jwt' : 'apiKey' };
}

/** Listens on a Redis channel of the platform bus; `received` fills as events arrive. */
export async function listen<T>(channel: string): Promise<{ received: T[]; stop(): Promise<void> }> {
  const bus = new RedisEventBus(REDIS_URL, EVENT_CHANNEL_PREFIX);
  const events = bus.subscribe<T>(channel);
  // A Redis that never answers must not leave the bus reconnecting behind a failed test.
  await bus.ready().catch(async (error: unknown) => {
    await bus.close();
    throw error;
  });
  const received: T[] = [];
  const reading = (async () => {
    for await (const event of events) received.push(event);
  })();
  return {
    received,
    stop: async () => {
      await events.return?.();
      await reading;
      await bus.close();
    },
  };
}

export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

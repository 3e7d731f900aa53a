import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { REPO_ROOT } from '@supergraph/config';
import { applyMigrations, diffDatabaseAgainstSchema, openDatabase } from '@supergraph/db';
import { asRouter, createTestDatabase, graphql, quietLogger, testConfig, type UntypedData } from '@supergraph/testing';
import { startPaymentsSubgraph } from '../src/app';
import { PAYMENTS_MIGRATIONS_DIR } from '../src/data/database';
import { eventually, userIdentity } from './harness';

test('the payments migrations produce exactly the schema in prisma/payments/schema.prisma', async () => {
  const database = await createTestDatabase('payments_schema');
  const db = await openDatabase({ name: 'payments-schema-test', url: database.url });
  try {
    await applyMigrations(db.sql, PAYMENTS_MIGRATIONS_DIR);
    expect(await diffDatabaseAgainstSchema(database.url, join(REPO_ROOT, 'prisma/payments/schema.prisma'))).toBe('');
    // The database itself refuses non-positive money and negative stakes.
    const user = randomUUID();
    await expect(
      db.sql.query(`INSERT INTO payments (id, user_id, amount, currency, method, idempotency_key, updated_at) VALUES ($1, $2, 0, 'USD', 'FIAT', 'k', now())`, [
        randomUUID(),
        user,
      ]),
    ).rejects.toThrow('must be positive');
    await expect(db.sql.query(`INSERT INTO payment_accounts (user_id, staked, updated_at) VALUES ($1, -1, now())`, [user])).rejects.toThrow(
      'must not be negative',
    );
    await db.sql.query(`INSERT INTO payment_accounts (user_id, staked, updated_at) VALUES ($1, 5, now())`, [user]);
    await expect(db.sql.query(`UPDATE payment_accounts SET staked = staked - 6 WHERE user_id = $1`, [user])).rejects.toThrow('must not be negative');
  } finally {
    await db.close();
    await database.drop();
  }
}, 60_000);

test('with no configuration (npm start) it runs on PGlite, the embedded Stripe and in-process events', async () => {
  // No AI subgraph runs here to score card payments, which would hold each one for review (review.test.ts covers that).
  const { config, cleanup } = testConfig('payments', { PAYMENTS_PORT: '0', USERS_URL: 'http://127.0.0.1:9/graphql', FRAUD_REVIEW_THRESHOLD: 'off' });
  expect(config.payments.stripe.secretKey).toBeUndefined();
  const payments = await startPaymentsSubgraph(config, quietLogger('payments'));
  try {
    expect(payments.localStripe).toBeDefined();
    const identity = userIdentity(randomUUID());
    const call = (query: string, variables: Record<string, unknown> = {}) =>
      graphql<UntypedData>(`${payments.url}/graphql`, query, variables, asRouter(identity, config.routerSigningSecret));
    const paid = await call('mutation ($key: String!) { createPayment(amount: "999", currency: "USD", idempotencyKey: $key) { status } }', {
      key: randomUUID(),
    });
    expect(paid.data!.createPayment.status).toBe('SUCCEEDED');
    // An asynchronous card settles through the embedded Stripe's signed webhook.
    const pending = await call(
      'mutation ($key: String!) { createPayment(amount: "5", currency: "JPY", idempotencyKey: $key, paymentMethod: "pm_card_async") { id status providerReference } }',
      { key: randomUUID() },
    );
    expect(pending.data!.createPayment.status).toBe('PENDING');
    await payments.localStripe!.settle(pending.data!.createPayment.providerReference, 'succeeded');
    const settled = await eventually(
      () => call('query ($id: ID!) { payment(id: $id) { status } }', { id: pending.data!.createPayment.id }),
      (response) => response.data?.payment?.status === 'SUCCEEDED',
    );
    expect(settled.data!.payment.status).toBe('SUCCEEDED');
    // The outbox relay works on PGlite too: every event gets published.
    const unpublished = await eventually(
      () => payments.database.prisma.outboxEvent.count({ where: { publishedAt: null } }),
      (n) => n === 0,
    );
    expect(unpublished).toBe(0);
    expect(await payments.database.prisma.outboxEvent.count()).toBeGreaterThanOrEqual(4);
  } finally {
    await payments.stop();
    cleanup();
  }
}, 60_000);

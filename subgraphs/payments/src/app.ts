import { randomBytes } from 'node:crypto';
import { blockchainDeployment, type PaymentsServiceConfig } from '@supergraph/config';
import { startOutboxRelay, type OutboxRelay } from '@supergraph/outbox';
import { createEventBus, type EventBus } from '@supergraph/pubsub';
import { createLogger, type Logger, type RunningServer } from '@supergraph/server';
import { serveSubgraph, serverOptions } from '@supergraph/subgraph';
import { createPaymentsContext, type PaymentsServices } from './context';
import { openPaymentsDatabase, type PaymentsDatabase } from './data/database';
import { HttpPayoutsClient, type PayoutsClient } from './data/payouts-client';
import { HttpUsersClient, type UsersClient } from './data/users-client';
import { PaymentsMetrics } from './metrics';
import { UpgradePlanSaga, type SagaFaults } from './saga/upgrade-plan';
import { buildPaymentsSchema } from './schema';
import { PaymentsService } from './services/payments';
import { StakingService } from './services/staking';
import { createStripeClient, StripeGateway } from './stripe/gateway';
import { LocalStripe } from './stripe/local-stripe';
import { STRIPE_WEBHOOK_PATH, stripeWebhookRoute } from './stripe/webhook-route';
import type { ChainWatcher } from './token/chain-watcher';
import { HttpChainWatcher } from './token/http-chain-watcher';
import { HttpFraudScreen, type FraudScreen } from './data/fraud-screen';
import { PaymentReviews } from './services/reviews';
import { consumePayoutConfirmations } from './token/payout-consumer';
import { consumeTokenTransfers } from './token/transfer-consumer';

export interface PaymentsSubgraph extends RunningServer {
  database: PaymentsDatabase;
  events: EventBus;
  services: PaymentsServices;
  relay: OutboxRelay;
  /** The embedded Stripe, when no STRIPE_SECRET_KEY is configured. */
  localStripe: LocalStripe | undefined;
  metrics: PaymentsMetrics;
}

/** What tests may replace. Production code passes nothing. */
export interface PaymentsDependencies {
  /** The chain, for token payments (default: the blockchain subgraph at BLOCKCHAIN_URL). */
  chain?: ChainWatcher;
  users?: UsersClient;
  /** The blockchain subgraph's payouts (default: BLOCKCHAIN_URL). */
  payouts?: PayoutsClient;
  /** Fraud scores for card payments (default: the AI subgraph at AI_URL, the payer's account age from USERS_URL). */
  fraud?: FraudScreen;
  /** Failure injection for the upgradePlan saga's steps (tests only). */
  sagaFaults?: SagaFaults;
}

const RECOVERY_INTERVAL_MS = 30_000;

/** Opens the database, migrates it, starts Stripe access, the outbox relay and the server. Used by main.ts and the tests. */
export async function startPaymentsSubgraph(
  config: PaymentsServiceConfig,
  logger: Logger = createLogger({ service: 'payments' }, config.logLevel),
  dependencies: PaymentsDependencies = {},
): Promise<PaymentsSubgraph> {
  // loadPaymentsConfig has checked that production has real Stripe keys, and that a key comes with its webhook secret.
  const stripeConfig = config.payments.stripe;

  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const metrics = new PaymentsMetrics();
    const database = await openPaymentsDatabase({ url: config.payments.databaseUrl, dataDir: config.dataDir, logger });
    cleanups.push(() => database.close());
    metrics.observeDatabase(database);
    const events = metrics.countEvents(createEventBus(config));
    cleanups.push(() => events.close());

    // No key configured: Stripe is the embedded local server (development; refused in production by the loader).
    let localStripe: LocalStripe | undefined;
    let stripeAccess = {
      secretKey: stripeConfig.secretKey ?? '',
      webhookSecret: stripeConfig.webhookSecret ?? '',
      host: stripeConfig.host,
      port: stripeConfig.port,
      protocol: stripeConfig.protocol,
    };
    if (!stripeConfig.secretKey) {
      const secretKey = 'sk_test_local_embedded';
      const webhookSecret = `whsec_${randomBytes(24).toString('hex')}`;
      const started = await LocalStripe.start({ secretKey, webhookSecret });
      localStripe = started;
      cleanups.push(() => started.stop());
      stripeAccess = { secretKey, webhookSecret, host: started.host, port: started.port, protocol: 'http' };
      logger.info('no STRIPE_SECRET_KEY: using the embedded local Stripe', { url: `http://${started.host}:${started.port}` });
    }
    const stripe = createStripeClient({
      secretKey: stripeAccess.secretKey,
      ...(stripeAccess.host ? { host: stripeAccess.host } : {}),
      ...(stripeAccess.port ? { port: stripeAccess.port } : {}),
      ...(stripeAccess.protocol ? { protocol: stripeAccess.protocol } : {}),
    });

    const relay = startOutboxRelay({
      sql: database.sql,
      bus: events,
      logger,
      pollMs: config.payments.outboxPollMs,
      onPublished: (envelope) => metrics.published(envelope),
    });
    metrics.observeOutbox(relay.lagSeconds);
    cleanups.push(() => relay.stop());
    const onCommitted = () => void relay.flush().catch(() => undefined);

    const users = dependencies.users ?? new HttpUsersClient(config.payments.usersUrl, config.routerSigningSecret);
    const payouts = dependencies.payouts ?? new HttpPayoutsClient(config.payments.blockchainUrl, config.routerSigningSecret);
    const treasury = () => blockchainDeployment(config).treasury;
    const chain = dependencies.chain ?? new HttpChainWatcher(config.payments.blockchainUrl, config.routerSigningSecret, treasury);
    const staking = new StakingService({ prisma: database.prisma, users, payouts, config: config.payments, logger, onCommitted });
    const payments = new PaymentsService({
      prisma: database.prisma,
      stripe: new StripeGateway(stripe),
      users,
      chain,
      config,
      logger,
      token: { treasury, confirmations: config.blockchain.confirmations },
      onCommitted,
      onTokenPaymentSucceeded: async (tx, payment) => {
        if (payment.purpose === 'stake') await staking.creditStake(tx, payment);
      },
      afterTokenPaymentSucceeded: async (payment) => {
        if (payment.purpose === 'stake') await staking.syncTier(payment.userId);
      },
      screenCardPayment: (payment, paymentMethod) => reviews.screen(payment, paymentMethod),
      // A plan's charge decided by Stripe's webhook (3-D Secure done): its saga goes on.
      afterCardPaymentSettled: async (payment) => void (await upgrades.resumeAfterCharge(payment)),
    });
    const upgrades = new UpgradePlanSaga({
      prisma: database.prisma,
      payments,
      users,
      config,
      logger,
      metrics,
      ...(dependencies.sagaFaults ? { faults: dependencies.sagaFaults } : {}),
    });
    const threshold = config.payments.fraudReviewThreshold;
    const screen =
      threshold === null
        ? null
        : (dependencies.fraud ??
          new HttpFraudScreen({
            aiUrl: config.payments.aiUrl,
            usersUrl: config.payments.usersUrl,
            signingSecret: config.routerSigningSecret,
            prisma: database.prisma,
          }));
    const reviews: PaymentReviews = new PaymentReviews({ prisma: database.prisma, payments, screen, threshold: threshold ?? 1, logger });
    const services: PaymentsServices = { payments, staking, upgrades, reviews };

    const transfers = consumeTokenTransfers(events, payments, logger);
    cleanups.push(() => transfers.stop());
    const paidOut = consumePayoutConfirmations(events, staking, logger);
    cleanups.push(() => paidOut.stop());
    // Housekeeping: compensate sagas a crash left behind; settle token payments whose events were missed;
    // retry tier updates the users subgraph did not take; have unstakes still unpaid paid out.
    const recover = () => {
      void upgrades.recover().catch((error: unknown) => logger.warn('saga recovery failed', { error: String(error) }));
      void payments.reconcileTokenPayments().catch((error: unknown) => logger.warn('token reconciliation failed', { error: String(error) }));
      void staking.syncPendingTiers().catch((error: unknown) => logger.warn('tier sync failed', { error: String(error) }));
      void staking.reconcilePayouts().catch((error: unknown) => logger.warn('payout reconciliation failed', { error: String(error) }));
    };
    const recovery = setInterval(recover, RECOVERY_INTERVAL_MS);
    recovery.unref();
    cleanups.push(async () => clearInterval(recovery));
    recover();

    const running = await serveSubgraph({
      name: 'payments',
      schema: await buildPaymentsSchema(),
      ...serverOptions(config),
      port: config.payments.port,
      logger,
      metrics,
      createContext: (base) => createPaymentsContext(base, database.prisma, config, services, events),
      extraRoutes: {
        [STRIPE_WEBHOOK_PATH]: stripeWebhookRoute({
          stripe,
          webhookSecret: stripeAccess.webhookSecret,
          payments,
          logger,
          metrics,
          maxBodyBytes: config.maxBodyBytes,
        }),
      },
      onStop: close,
    });
    if (localStripe) localStripe.webhookUrl = `${running.url}${STRIPE_WEBHOOK_PATH}`;
    return Object.assign(running, { database, events, services, relay, localStripe, metrics });
  } catch (error) {
    await close();
    throw error;
  }
}

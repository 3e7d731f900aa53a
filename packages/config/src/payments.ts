import { confirmations, deploymentPath } from './chain';
import { deploymentSetting, int, oneOf, optionalInt, text, tierTable, type Env, type PerTier } from './parsers';
import { loadEventsConfig, loadServiceConfig, type EventsConfig, type ServiceConfig } from './service';

/** Everything the payments subgraph reads (issue 3; its own settings are listed in subgraphs/payments/README.md). */
export interface PaymentsServiceConfig extends ServiceConfig, EventsConfig {
  payments: PaymentsConfig;
  /** What payments needs to know of the chain to check token payments. */
  blockchain: PaymentsChainConfig;
}

export interface PaymentsConfig {
  /** PAYMENTS_PORT. Default 4003. */
  port: number;
  /** PAYMENTS_DATABASE_URL: PostgreSQL. Default: unset, an embedded PGlite under DATA_DIR. */
  databaseUrl: string | undefined;
  /** USERS_URL: the users subgraph, called with a signed service identity to change a user's tier. Default `http://localhost:4001/graphql`; required in production. */
  usersUrl: string;
  /** BLOCKCHAIN_URL: the blockchain subgraph, asked about token transfers and to pay unstakes out. Default `http://localhost:4004/graphql`; required in production. */
  blockchainUrl: string;
  /**
   * STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET (required together, and in production); without them the
   * subgraph starts its embedded local Stripe. STRIPE_API_HOST, STRIPE_API_PORT, STRIPE_API_PROTOCOL (http or
   * https): another Stripe-compatible API. Default: Stripe's own.
   */
  stripe: {
    secretKey: string | undefined;
    webhookSecret: string | undefined;
    host: string | undefined;
    port: number | undefined;
    protocol: 'http' | 'https' | undefined;
  };
  /** STAKE_TIERS: whole $FORGE staked from which each tier applies. Default `PRO=1000,ENTERPRISE=10000`. */
  stakeTiers: { PRO: number; ENTERPRISE: number };
  /** FEE_DISCOUNTS: fee reduction in percent by tier. Default `FREE=0,PRO=10,ENTERPRISE=25`. */
  feeDiscounts: PerTier;
  /** PLAN_PRICES: upgradePlan prices in minor units of planCurrency, before the fee reduction. Default `PRO=2000,ENTERPRISE=10000`. */
  planPrices: { PRO: number; ENTERPRISE: number };
  /** PLAN_CURRENCY. Default `USD`. */
  planCurrency: string;
  /** UPGRADE_CHARGE_TIMEOUT_SECONDS: how long an upgradePlan saga waits for a charge Stripe has not decided (3-D Secure, processing) before cancelling it. Default 900. */
  upgradeChargeTimeoutMs: number;
  /** OUTBOX_POLL_MS: how often the outbox relay looks for unpublished events. Default 200. */
  outboxPollMs: number;
  /** AI_URL: the AI subgraph, asked for a card payment's fraud score before it is charged. Default `http://localhost:4005/graphql`. */
  aiUrl: string;
  /**
   * FRAUD_REVIEW_THRESHOLD: a card payment whose fraud score reaches it is held in REVIEW, uncharged, until an admin decides; so is
   * one whose score cannot be had. `off`: no screening (a deployment without the AI subgraph). Default 0.65 (the model flags ≥ 0.62 as anomalous).
   */
  fraudReviewThreshold: number | null;
}

export interface PaymentsChainConfig {
  /** TREASURY_ADDRESS: where token payments and stakes are sent. Default: the blockchain subgraph's local deployment file; required in production. */
  treasuryAddress: string | undefined;
  /** BLOCKCHAIN_DEPLOYMENT_PATH: the deployment file the embedded chain writes. Default `DATA_DIR/chain/deployment.json`. */
  deploymentPath: string;
  /** BLOCKCHAIN_CONFIRMATIONS: blocks on top of a transfer (itself included) before it counts. Default 3, as the blockchain subgraph. */
  confirmations: number;
}

export function loadPaymentsConfig(env: Env = process.env): PaymentsServiceConfig {
  const service = loadServiceConfig(env);
  const { production } = service;
  const stakeTiers = tierTable(env, 'STAKE_TIERS', 'PRO=1000,ENTERPRISE=10000');
  const discounts = tierTable(env, 'FEE_DISCOUNTS', 'FREE=0,PRO=10,ENTERPRISE=25');
  const prices = tierTable(env, 'PLAN_PRICES', 'PRO=2000,ENTERPRISE=10000');
  const stripe = {
    secretKey: text(env, 'STRIPE_SECRET_KEY'),
    webhookSecret: text(env, 'STRIPE_WEBHOOK_SECRET'),
    host: text(env, 'STRIPE_API_HOST'),
    port: optionalInt(env, 'STRIPE_API_PORT'),
    protocol: env.STRIPE_API_PROTOCOL ? oneOf(env, 'STRIPE_API_PROTOCOL', ['http', 'https'] as const, 'https') : undefined,
  };
  // The embedded local Stripe is for development only.
  if (production && (!stripe.secretKey || !stripe.webhookSecret)) throw new Error('STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set in production');
  if (stripe.secretKey && !stripe.webhookSecret) throw new Error('STRIPE_WEBHOOK_SECRET must be set with STRIPE_SECRET_KEY');
  return {
    ...service,
    ...loadEventsConfig(env),
    payments: {
      port: int(env, 'PAYMENTS_PORT', 4003),
      databaseUrl: text(env, 'PAYMENTS_DATABASE_URL'),
      usersUrl: deploymentSetting(env, 'USERS_URL', production, 'http://localhost:4001/graphql'),
      blockchainUrl: deploymentSetting(env, 'BLOCKCHAIN_URL', production, 'http://localhost:4004/graphql'),
      stripe,
      stakeTiers: { PRO: stakeTiers.PRO ?? 1000, ENTERPRISE: stakeTiers.ENTERPRISE ?? 10000 },
      feeDiscounts: { FREE: discounts.FREE ?? 0, PRO: discounts.PRO ?? 10, ENTERPRISE: discounts.ENTERPRISE ?? 25 },
      planPrices: { PRO: prices.PRO ?? 2000, ENTERPRISE: prices.ENTERPRISE ?? 10000 },
      planCurrency: (env.PLAN_CURRENCY ?? 'USD').toUpperCase(),
      upgradeChargeTimeoutMs: int(env, 'UPGRADE_CHARGE_TIMEOUT_SECONDS', 900) * 1000,
      outboxPollMs: int(env, 'OUTBOX_POLL_MS', 200),
      aiUrl: env.AI_URL ?? 'http://localhost:4005/graphql',
      fraudReviewThreshold: fraudReviewThreshold(env.FRAUD_REVIEW_THRESHOLD),
    },
    blockchain: {
      treasuryAddress: deploymentSetting(env, 'TREASURY_ADDRESS', production),
      deploymentPath: deploymentPath(env, service.dataDir),
      confirmations: confirmations(env),
    },
  };
}

function fraudReviewThreshold(raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return 0.65;
  if (raw === 'off') return null;
  const threshold = Number(raw);
  if (!Number.isFinite(threshold) || threshold <= 0 || threshold > 1)
    throw new Error(`FRAUD_REVIEW_THRESHOLD must be a number in (0, 1] or "off", not "${raw}"`);
  return threshold;
}

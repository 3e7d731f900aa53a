import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * Every setting of the platform, read from the environment in this one place. Each default is
 * documented in the README's Configuration table; keep the two in step.
 */
export interface PlatformConfig {
  production: boolean;
  /** Interface the servers listen on. */
  host: string;
  /** Where embedded databases and development secrets live. */
  dataDir: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Milliseconds a stopping server waits for in-flight requests. */
  shutdownGraceMs: number;
  /** Max size of a request body, in bytes. */
  maxBodyBytes: number;
  /** Redis for events, queues and caches; when absent each process uses in-process stand-ins. */
  redisUrl: string | undefined;
  /** Prefix of every event channel on Redis: separates deployments sharing one Redis. */
  eventChannelPrefix: string;
  /** Shared by router and subgraphs: signs the identity the router forwards. */
  routerSigningSecret: string;
  jwt: JwtConfig;
  router: RouterConfig;
  protection: ProtectionConfig;
  users: UsersConfig;
  projects: ProjectsConfig;
  blockchain: BlockchainConfig;
  payments: PaymentsConfig;
}

export interface JwtConfig {
  /** HS256 secret shared by the issuer (users subgraph) and the verifier (router). */
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface RouterConfig {
  port: number;
  supergraphPath: string;
  /** Per-subgraph routing URL overrides, from SUBGRAPH_<NAME>_URL. */
  subgraphUrls: Record<string, string>;
  /** How long a verified API key is trusted before the users subgraph is asked again. */
  apiKeyCacheMs: number;
  /** Timeout of each subgraph probe behind /ready. */
  readyTimeoutMs: number;
  /** Operations one client WebSocket may run at once. */
  maxSubscriptionsPerConnection: number;
  /** Interval of graphql-ws pings on client and subgraph sockets. */
  keepAliveMs: number;
  /** Identical queries of one caller in flight at once share one execution and one response. */
  operationDedupe: boolean;
  /** Router processes sharing the port (node:cluster); 1 runs the router in the main process. */
  workers: number;
}

export interface UsersConfig {
  port: number;
  /** Postgres URL; when absent the subgraph runs on an embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  /** Emails that are given the ADMIN role when they register. */
  adminEmails: string[];
  siwe: { domain: string; nonceTtlSeconds: number };
  /** Largest `first` the admin `users` query accepts: one page is one SQL query and one response. */
  maxPageSize: number;
}

/** Three numbers for the tiers ENTERPRISE, PRO and FREE, written `6:3:1` in the environment. */
export type PerTier = { ENTERPRISE: number; PRO: number; FREE: number };

export interface ProjectsConfig {
  port: number;
  /** Postgres URL; when absent the subgraph runs on an embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  /** Run the task worker inside the subgraph process (default when REDIS_URL is unset). */
  inProcessWorker: boolean;
  /** Tasks one worker process runs at once. */
  workerConcurrency: number;
  /** Weighted round-robin shares of the task queue's dispatch slots. */
  tierWeights: PerTier;
  /** Tasks of a tier running at once across all workers. */
  tierConcurrency: PerTier;
  /** Unfinished (queued or running) tasks one user may have, by their tier. */
  maxPendingTasks: PerTier;
  taskMaxAttempts: number;
  /** First retry delay; each further retry doubles it. */
  taskBackoffMs: number;
  /** Key prefix of the BullMQ queues in Redis. */
  queuePrefix: string;
  maxFilesPerProject: number;
  maxFilesPerChange: number;
  maxFileBytes: number;
  /** How often a command retries after losing an expected-version race before VERSION_CONFLICT. */
  commandRetries: number;
}

type Env = Record<string, string | undefined>;

export const REPO_ROOT = resolve(__dirname, '../../..');

export function loadConfig(env: Env = process.env): PlatformConfig {
  const production = env.NODE_ENV === 'production';
  const dataDir = resolve(env.DATA_DIR ?? join(REPO_ROOT, '.data'));
  const secret = (name: keyof DevelopmentSecrets, envName: string): string => {
    const value = env[envName];
    if (value) return value;
    if (production) throw new Error(`${envName} must be set in production`);
    return developmentSecrets(dataDir)[name];
  };

  return {
    production,
    host: env.HOST ?? '127.0.0.1',
    dataDir,
    logLevel: oneOf(env.LOG_LEVEL, ['debug', 'info', 'warn', 'error'] as const, 'info', 'LOG_LEVEL'),
    shutdownGraceMs: int(env.SHUTDOWN_GRACE_MS, 10_000, 'SHUTDOWN_GRACE_MS'),
    maxBodyBytes: int(env.MAX_BODY_BYTES, 1_000_000, 'MAX_BODY_BYTES'),
    redisUrl: env.REDIS_URL || undefined,
    eventChannelPrefix: env.EVENT_CHANNEL_PREFIX ?? 'supergraph:',
    routerSigningSecret: secret('routerSigningSecret', 'ROUTER_SIGNING_SECRET'),
    jwt: {
      secret: secret('jwtSecret', 'JWT_SECRET'),
      issuer: env.JWT_ISSUER ?? 'supergraph',
      audience: env.JWT_AUDIENCE ?? 'supergraph',
      ttlSeconds: int(env.JWT_TTL_SECONDS, 3600, 'JWT_TTL_SECONDS'),
    },
    router: {
      port: int(env.ROUTER_PORT, 4000, 'ROUTER_PORT'),
      supergraphPath: resolve(env.SUPERGRAPH_PATH ?? join(REPO_ROOT, 'supergraph.graphql')),
      subgraphUrls: subgraphUrlOverrides(env),
      apiKeyCacheMs: int(env.API_KEY_CACHE_MS, 30_000, 'API_KEY_CACHE_MS'),
      readyTimeoutMs: int(env.READY_TIMEOUT_MS, 2_000, 'READY_TIMEOUT_MS'),
      maxSubscriptionsPerConnection: int(env.MAX_SUBSCRIPTIONS_PER_CONNECTION, 100, 'MAX_SUBSCRIPTIONS_PER_CONNECTION'),
      keepAliveMs: int(env.WS_KEEPALIVE_MS, 12_000, 'WS_KEEPALIVE_MS'),
      operationDedupe: flag(env.OPERATION_DEDUPE, true),
      workers: env.ROUTER_WORKERS === 'auto' ? availableParallelism() : int(env.ROUTER_WORKERS, 1, 'ROUTER_WORKERS'),
    },
    protection: protectionConfig(env),
    users: {
      port: int(env.USERS_PORT, 4001, 'USERS_PORT'),
      databaseUrl: env.USERS_DATABASE_URL || undefined,
      adminEmails: (env.ADMIN_EMAILS ?? '')
        .split(',')
        .map((email) => email.trim().toLowerCase())
        .filter(Boolean),
      siwe: {
        domain: env.SIWE_DOMAIN ?? 'localhost:4000',
        nonceTtlSeconds: int(env.SIWE_NONCE_TTL_SECONDS, 300, 'SIWE_NONCE_TTL_SECONDS'),
      },
      maxPageSize: int(env.USERS_MAX_PAGE_SIZE, 100, 'USERS_MAX_PAGE_SIZE'),
    },
    projects: {
      port: int(env.PROJECTS_PORT, 4002, 'PROJECTS_PORT'),
      databaseUrl: env.PROJECTS_DATABASE_URL || undefined,
      inProcessWorker: env.PROJECTS_INPROCESS_WORKER ? env.PROJECTS_INPROCESS_WORKER === 'true' : !env.REDIS_URL,
      workerConcurrency: int(env.PROJECTS_WORKER_CONCURRENCY, 2, 'PROJECTS_WORKER_CONCURRENCY'),
      tierWeights: perTier(env.PROJECTS_TIER_WEIGHTS, '6:3:1', 'PROJECTS_TIER_WEIGHTS'),
      tierConcurrency: perTier(env.PROJECTS_TIER_CONCURRENCY, '8:4:2', 'PROJECTS_TIER_CONCURRENCY'),
      maxPendingTasks: perTier(env.PROJECTS_MAX_PENDING_TASKS, '500:100:20', 'PROJECTS_MAX_PENDING_TASKS'),
      taskMaxAttempts: int(env.PROJECTS_TASK_MAX_ATTEMPTS, 3, 'PROJECTS_TASK_MAX_ATTEMPTS'),
      taskBackoffMs: int(env.PROJECTS_TASK_BACKOFF_MS, 1000, 'PROJECTS_TASK_BACKOFF_MS'),
      queuePrefix: env.PROJECTS_QUEUE_PREFIX ?? 'supergraph',
      maxFilesPerProject: int(env.PROJECTS_MAX_FILES, 1000, 'PROJECTS_MAX_FILES'),
      maxFilesPerChange: int(env.PROJECTS_MAX_FILES_PER_CHANGE, 100, 'PROJECTS_MAX_FILES_PER_CHANGE'),
      maxFileBytes: int(env.PROJECTS_MAX_FILE_BYTES, 262_144, 'PROJECTS_MAX_FILE_BYTES'),
      commandRetries: int(env.PROJECTS_COMMAND_RETRIES, 50, 'PROJECTS_COMMAND_RETRIES'),
    },
    blockchain: blockchainConfig(env, dataDir),
    payments: paymentsConfig(env),
  };
}

interface DevelopmentSecrets {
  routerSigningSecret: string;
  jwtSecret: string;
}

/**
 * Outside production, missing secrets are generated once and kept under the data folder, so
 * every process started from this checkout (router and subgraphs) agrees on them.
 */
function developmentSecrets(dataDir: string): DevelopmentSecrets {
  const path = join(dataDir, 'dev-secrets.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DevelopmentSecrets;
  } catch {
    const fresh: DevelopmentSecrets = {
      routerSigningSecret: randomBytes(32).toString('base64url'),
      jwtSecret: randomBytes(32).toString('base64url'),
    };
    mkdirSync(dirname(path), { recursive: true });
    try {
      // 'wx' fails if another process won the race; then read what it wrote.
      writeFileSync(path, JSON.stringify(fresh, null, 2), { flag: 'wx', mode: 0o600 });
      return fresh;
    } catch {
      return JSON.parse(readFileSync(path, 'utf8')) as DevelopmentSecrets;
    }
  }
}

function subgraphUrlOverrides(env: Env): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const match = /^SUBGRAPH_([A-Z0-9_]+)_URL$/.exec(key);
    if (match?.[1] && value) urls[match[1].toLowerCase()] = value;
  }
  return urls;
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return parsed;
}

function perTier(value: string | undefined, fallback: string, name: string): PerTier {
  const parts = (value || fallback).split(':').map((part) => int(part.trim(), -1, name));
  if (parts.length !== 3 || parts.some((part) => part < 1)) throw new Error(`${name} must be three positive integers ENTERPRISE:PRO:FREE, got "${value}"`);
  const [ENTERPRISE, PRO, FREE] = parts as [number, number, number];
  return { ENTERPRISE, PRO, FREE };
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, name: string): T {
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
}

/**
 * Router protection and operations (issue 8): operation limits, per-subgraph resilience, rate
 * limiting, persisted queries, response cache and telemetry. Documented in router/README.md.
 */
export interface ProtectionConfig {
  limits: { maxDepth: number; maxAliases: number; maxRootFields: number; maxTokens: number; maxCost: number };
  subgraphs: {
    /** Per attempt. */
    timeoutMs: number;
    /** Per-subgraph timeouts from SUBGRAPH_<NAME>_TIMEOUT_MS, overriding timeoutMs. */
    timeoutOverrides: Record<string, number>;
    /** Extra attempts of a failed query fetch (never a mutation). */
    retries: number;
    retryBaseMs: number;
    retryMaxMs: number;
    breakerFailureThreshold: number;
    breakerResetMs: number;
    /** Share one round trip among identical query fetches in flight at once (same identity). */
    dedupe: boolean;
  };
  rateLimit: {
    /** 0 turns rate limiting off. */
    perMinute: number;
    windowMs: number;
    /** Requests per window by tier, overriding perMinute (e.g. PRO=1000). */
    tiers: Record<string, number>;
    /** Take the anonymous caller's address from the first X-Forwarded-For entry. */
    trustProxy: boolean;
  };
  /** manifestPath: operations registered into the safelist at start (Apollo manifest or hash → query JSON). */
  persistedQueries: { mode: 'apq' | 'safelist' | 'off'; ttlSeconds: number; manifestPath: string | undefined };
  responseCache: { enabled: boolean; maxEntryBytes: number };
  metrics: { enabled: boolean };
  /** OpenTelemetry traces go to OTEL_EXPORTER_OTLP_ENDPOINT when set. */
  otlpEndpoint: string | undefined;
}

function flag(value: string | undefined, fallback: boolean): boolean {
  return value === undefined || value === '' ? fallback : /^(1|true|yes|on)$/i.test(value);
}

function protectionConfig(env: Env): ProtectionConfig {
  const tiers: Record<string, number> = {};
  for (const entry of (env.RATE_LIMIT_TIERS ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [tier, limit] = entry.split('=');
    if (!tier || limit === undefined) throw new Error(`RATE_LIMIT_TIERS entries look like PRO=1000, got "${entry}"`);
    tiers[tier.trim().toUpperCase()] = int(limit.trim(), 0, 'RATE_LIMIT_TIERS');
  }
  return {
    limits: {
      maxDepth: int(env.LIMIT_MAX_DEPTH, 15, 'LIMIT_MAX_DEPTH'),
      maxAliases: int(env.LIMIT_MAX_ALIASES, 30, 'LIMIT_MAX_ALIASES'),
      maxRootFields: int(env.LIMIT_MAX_ROOT_FIELDS, 20, 'LIMIT_MAX_ROOT_FIELDS'),
      maxTokens: int(env.LIMIT_MAX_TOKENS, 5_000, 'LIMIT_MAX_TOKENS'),
      maxCost: int(env.LIMIT_MAX_COST, 10_000, 'LIMIT_MAX_COST'),
    },
    subgraphs: {
      timeoutMs: int(env.SUBGRAPH_TIMEOUT_MS, 10_000, 'SUBGRAPH_TIMEOUT_MS'),
      timeoutOverrides: Object.fromEntries(
        Object.entries(env).flatMap(([key, value]) => {
          const name = /^SUBGRAPH_([A-Z0-9_]+)_TIMEOUT_MS$/.exec(key)?.[1];
          return name && value ? [[name.toLowerCase(), int(value, 0, key)]] : [];
        }),
      ),
      retries: int(env.SUBGRAPH_RETRIES, 2, 'SUBGRAPH_RETRIES'),
      retryBaseMs: int(env.SUBGRAPH_RETRY_BASE_MS, 100, 'SUBGRAPH_RETRY_BASE_MS'),
      retryMaxMs: int(env.SUBGRAPH_RETRY_MAX_MS, 2_000, 'SUBGRAPH_RETRY_MAX_MS'),
      breakerFailureThreshold: int(env.BREAKER_FAILURE_THRESHOLD, 5, 'BREAKER_FAILURE_THRESHOLD'),
      breakerResetMs: int(env.BREAKER_RESET_MS, 30_000, 'BREAKER_RESET_MS'),
      dedupe: flag(env.SUBGRAPH_DEDUPE, true),
    },
    rateLimit: {
      perMinute: int(env.RATE_LIMIT_PER_MINUTE, 100, 'RATE_LIMIT_PER_MINUTE'),
      windowMs: int(env.RATE_LIMIT_WINDOW_MS, 60_000, 'RATE_LIMIT_WINDOW_MS'),
      tiers,
      trustProxy: flag(env.RATE_LIMIT_TRUST_PROXY, false),
    },
    persistedQueries: {
      mode: oneOf(env.PERSISTED_QUERIES, ['apq', 'safelist', 'off'] as const, 'apq', 'PERSISTED_QUERIES'),
      ttlSeconds: int(env.PERSISTED_QUERIES_TTL_SECONDS, 86_400, 'PERSISTED_QUERIES_TTL_SECONDS'),
      manifestPath: env.PERSISTED_QUERIES_MANIFEST ? resolve(env.PERSISTED_QUERIES_MANIFEST) : undefined,
    },
    responseCache: {
      enabled: flag(env.RESPONSE_CACHE, true),
      maxEntryBytes: int(env.RESPONSE_CACHE_MAX_ENTRY_BYTES, 1_000_000, 'RESPONSE_CACHE_MAX_ENTRY_BYTES'),
    },
    metrics: { enabled: flag(env.METRICS, true) },
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
  };
}

/**
 * Blockchain subgraph (issue 4), documented in subgraphs/blockchain/README.md. Without RPC_URL the
 * subgraph starts an embedded local EVM, deploys the contracts and writes their addresses to
 * `deploymentPath`; other subgraphs find them with `blockchainDeployment(config)`.
 * The signing key itself is read only by the signing module (SIGNER_PRIVATE_KEY or SIGNER_KEY_FILE).
 */
export interface BlockchainConfig {
  port: number;
  /** Postgres URL; when absent the subgraph runs on an embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  /** Ethereum JSON-RPC over HTTP; absent: the embedded local chain. */
  rpcUrl: string | undefined;
  /** JSON-RPC over WebSocket for new-block notifications; absent: polling only (or the local chain's). */
  rpcWsUrl: string | undefined;
  localChain: { port: number; chainId: number; blockTimeSeconds: number };
  forgeTokenAddress: string | undefined;
  treasuryAddress: string | undefined;
  /** Written by the subgraph when it deploys; read when the addresses are not set. */
  deploymentPath: string;
  /** File holding the signing key (0x hex); generated under DATA_DIR for the embedded chain. */
  signerKeyFile: string | undefined;
  /** Blocks on top of a transfer's (itself included) before it counts as CONFIRMED. */
  confirmations: number;
  pollIntervalMs: number;
  /** First block the follower reads on a fresh database (default: the deployment block, else the head). */
  startBlock: number | undefined;
  /** TTL of cached RPC reads that can change (balances, nonces, head); settled data is kept longer. */
  cacheTtlSeconds: number;
}

function blockchainConfig(env: Env, dataDir: string): BlockchainConfig {
  return {
    port: int(env.BLOCKCHAIN_PORT, 4004, 'BLOCKCHAIN_PORT'),
    databaseUrl: env.BLOCKCHAIN_DATABASE_URL || undefined,
    rpcUrl: env.RPC_URL || undefined,
    rpcWsUrl: env.RPC_WS_URL || undefined,
    localChain: {
      port: int(env.LOCAL_CHAIN_PORT, 8545, 'LOCAL_CHAIN_PORT'),
      chainId: int(env.LOCAL_CHAIN_ID, 31337, 'LOCAL_CHAIN_ID'),
      blockTimeSeconds: int(env.LOCAL_CHAIN_BLOCK_TIME, 2, 'LOCAL_CHAIN_BLOCK_TIME'),
    },
    forgeTokenAddress: env.FORGE_TOKEN_ADDRESS || undefined,
    treasuryAddress: env.TREASURY_ADDRESS || undefined,
    deploymentPath: resolve(env.BLOCKCHAIN_DEPLOYMENT_PATH ?? join(dataDir, 'chain', 'deployment.json')),
    signerKeyFile: env.SIGNER_KEY_FILE ? resolve(env.SIGNER_KEY_FILE) : undefined,
    confirmations: Math.max(1, int(env.BLOCKCHAIN_CONFIRMATIONS, 3, 'BLOCKCHAIN_CONFIRMATIONS')),
    pollIntervalMs: int(env.BLOCKCHAIN_POLL_INTERVAL_MS, 2_000, 'BLOCKCHAIN_POLL_INTERVAL_MS'),
    startBlock: env.BLOCKCHAIN_START_BLOCK ? int(env.BLOCKCHAIN_START_BLOCK, 0, 'BLOCKCHAIN_START_BLOCK') : undefined,
    cacheTtlSeconds: int(env.BLOCKCHAIN_CACHE_TTL_SECONDS, 5, 'BLOCKCHAIN_CACHE_TTL_SECONDS'),
  };
}

/** Where $FORGE and the treasury live: FORGE_TOKEN_ADDRESS / TREASURY_ADDRESS, else the deployment file. */
export function blockchainDeployment(config: Pick<PlatformConfig, 'blockchain'>): { chainId?: number; forgeToken: string; treasury: string } | undefined {
  const { forgeTokenAddress, treasuryAddress, deploymentPath } = config.blockchain;
  if (forgeTokenAddress && treasuryAddress) return { forgeToken: forgeTokenAddress, treasury: treasuryAddress };
  try {
    return JSON.parse(readFileSync(deploymentPath, 'utf8')) as { chainId: number; forgeToken: string; treasury: string };
  } catch {
    return undefined;
  }
}

/** Payments subgraph (issue 3), documented in subgraphs/payments/README.md. */
export interface PaymentsConfig {
  port: number;
  /** Postgres URL; when absent the subgraph runs on an embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  /** The users subgraph, called with a signed service identity to change a user's tier. */
  usersUrl: string;
  /** The blockchain subgraph, called with a signed service identity to have unstakes paid out. */
  blockchainUrl: string;
  /** Without a secret key the subgraph starts its embedded local Stripe (never in production). */
  stripe: {
    secretKey: string | undefined;
    webhookSecret: string | undefined;
    host: string | undefined;
    port: number | undefined;
    protocol: 'http' | 'https' | undefined;
  };
  /** Whole $FORGE staked from which each tier applies. */
  stakeTiers: { PRO: number; ENTERPRISE: number };
  /** Fee reduction in percent by tier. */
  feeDiscounts: PerTier;
  /** upgradePlan prices in minor units of planCurrency, before the fee reduction. */
  planPrices: { PRO: number; ENTERPRISE: number };
  planCurrency: string;
  /** How long an upgradePlan saga waits for a charge Stripe has not decided (3-D Secure, processing) before cancelling it. */
  upgradeChargeTimeoutMs: number;
  outboxPollMs: number;
}

function paymentsConfig(env: Env): PaymentsConfig {
  const tierTable = (value: string | undefined, fallback: string, name: string): Record<string, number> => {
    const table: Record<string, number> = {};
    for (const entry of (value || fallback)
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)) {
      const [tier, amount] = entry.split('=');
      if (!tier || amount === undefined) throw new Error(`${name} entries look like PRO=1000, got "${entry}"`);
      table[tier.trim().toUpperCase()] = int(amount.trim(), -1, name);
    }
    return table;
  };
  const stakeTiers = tierTable(env.STAKE_TIERS, 'PRO=1000,ENTERPRISE=10000', 'STAKE_TIERS');
  const discounts = tierTable(env.FEE_DISCOUNTS, 'FREE=0,PRO=10,ENTERPRISE=25', 'FEE_DISCOUNTS');
  const prices = tierTable(env.PLAN_PRICES, 'PRO=2000,ENTERPRISE=10000', 'PLAN_PRICES');
  const stripePort = env.STRIPE_API_PORT ? int(env.STRIPE_API_PORT, 0, 'STRIPE_API_PORT') : undefined;
  return {
    port: int(env.PAYMENTS_PORT, 4003, 'PAYMENTS_PORT'),
    databaseUrl: env.PAYMENTS_DATABASE_URL || undefined,
    usersUrl: env.USERS_URL ?? 'http://localhost:4001/graphql',
    blockchainUrl: env.BLOCKCHAIN_URL ?? 'http://localhost:4004/graphql',
    stripe: {
      secretKey: env.STRIPE_SECRET_KEY || undefined,
      webhookSecret: env.STRIPE_WEBHOOK_SECRET || undefined,
      host: env.STRIPE_API_HOST || undefined,
      port: stripePort,
      protocol: env.STRIPE_API_PROTOCOL ? oneOf(env.STRIPE_API_PROTOCOL, ['http', 'https'] as const, 'https', 'STRIPE_API_PROTOCOL') : undefined,
    },
    stakeTiers: { PRO: stakeTiers.PRO ?? 1000, ENTERPRISE: stakeTiers.ENTERPRISE ?? 10000 },
    feeDiscounts: { FREE: discounts.FREE ?? 0, PRO: discounts.PRO ?? 10, ENTERPRISE: discounts.ENTERPRISE ?? 25 },
    planPrices: { PRO: prices.PRO ?? 2000, ENTERPRISE: prices.ENTERPRISE ?? 10000 },
    planCurrency: (env.PLAN_CURRENCY ?? 'USD').toUpperCase(),
    upgradeChargeTimeoutMs: int(env.UPGRADE_CHARGE_TIMEOUT_SECONDS, 900, 'UPGRADE_CHARGE_TIMEOUT_SECONDS') * 1000,
    outboxPollMs: int(env.OUTBOX_POLL_MS, 200, 'OUTBOX_POLL_MS'),
  };
}

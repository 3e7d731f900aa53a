import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBlockchainConfig, loadPaymentsConfig, loadProjectsConfig, loadRouterConfig, loadUsersConfig, REPO_ROOT } from '@supergraph/config';

/** What a deployment gives every TypeScript service (see docker-compose.yml). */
const PRODUCTION = { NODE_ENV: 'production', ROUTER_SIGNING_SECRET: 'signing-secret' };
const PAYMENTS_DEPLOYMENT = {
  ...PRODUCTION,
  USERS_URL: 'http://users:4001/graphql',
  BLOCKCHAIN_URL: 'http://blockchain:4004/graphql',
  TREASURY_ADDRESS: '0x00000000000000000000000000000000000000aa',
  STRIPE_SECRET_KEY: 'sk_live_x',
  STRIPE_WEBHOOK_SECRET: 'whsec_x',
};

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'config-test-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('each service reads only its own settings', () => {
  it('a bad PLAN_PRICES stops payments, but not the router or any other service', () => {
    const env = { DATA_DIR: dataDir, PLAN_PRICES: 'PRO=lots' };
    expect(() => loadPaymentsConfig(env)).toThrow('PLAN_PRICES must be a non-negative integer, got "lots"');
    expect(loadRouterConfig(env).router.port).toBe(4000);
    expect(loadUsersConfig(env).users.port).toBe(4001);
    expect(loadProjectsConfig(env).projects.port).toBe(4002);
    expect(loadBlockchainConfig(env).blockchain.port).toBe(4004);
  });

  it('a bad router setting stops only the router', () => {
    const env = { DATA_DIR: dataDir, LIMIT_MAX_DEPTH: '-1', PERSISTED_QUERIES: 'sometimes' };
    expect(() => loadRouterConfig(env)).toThrow('LIMIT_MAX_DEPTH must be a non-negative integer, got "-1"');
    expect(() => loadRouterConfig({ ...env, LIMIT_MAX_DEPTH: '3' })).toThrow('PERSISTED_QUERIES must be one of apq, safelist, off, got "sometimes"');
    expect(loadProjectsConfig(env).projects.port).toBe(4002);
  });

  it('JWT_SECRET is required in production by who issues tokens (users) and who verifies them (router), and by nobody else', () => {
    expect(() => loadUsersConfig(PRODUCTION)).toThrow('JWT_SECRET must be set in production');
    expect(() => loadRouterConfig(PRODUCTION)).toThrow('JWT_SECRET must be set in production');
    expect(loadUsersConfig({ ...PRODUCTION, JWT_SECRET: 'jwt' }).jwt.secret).toBe('jwt');
    expect(loadRouterConfig({ ...PRODUCTION, JWT_SECRET: 'jwt' }).jwt.secret).toBe('jwt');
    expect(loadProjectsConfig({ ...PRODUCTION, AI_URL: 'http://ai:4005/graphql' })).not.toHaveProperty('jwt');
    expect(loadPaymentsConfig(PAYMENTS_DEPLOYMENT)).not.toHaveProperty('jwt');
    expect(loadBlockchainConfig({ ...PRODUCTION, RPC_URL: 'http://node:8545', FORGE_TOKEN_ADDRESS: '0x1', TREASURY_ADDRESS: '0x2' })).not.toHaveProperty('jwt');
  });

  it('ROUTER_SIGNING_SECRET is required in production by every service', () => {
    for (const load of [loadRouterConfig, loadUsersConfig, loadProjectsConfig, loadPaymentsConfig, loadBlockchainConfig]) {
      expect(() => load({ NODE_ENV: 'production', JWT_SECRET: 'jwt' })).toThrow('ROUTER_SIGNING_SECRET must be set in production');
    }
  });
});

describe("the router keeps a user's tier only while it can hear of a change", () => {
  it('for 30 s with the Redis bus that carries the change events, not at all without it', () => {
    expect(loadRouterConfig({ DATA_DIR: dataDir, REDIS_URL: 'redis://localhost:6379' }).router.tierCacheMs).toBe(30_000);
    expect(loadRouterConfig({ DATA_DIR: dataDir }).router.tierCacheMs).toBe(0);
    expect(loadRouterConfig({ DATA_DIR: dataDir, TIER_CACHE_MS: '5000' }).router.tierCacheMs).toBe(5_000);
  });
});

describe('production refuses development defaults that cannot work in a deployment', () => {
  it.each(['USERS_URL', 'BLOCKCHAIN_URL', 'TREASURY_ADDRESS'])('payments requires %s', (name) => {
    expect(loadPaymentsConfig(PAYMENTS_DEPLOYMENT).payments.blockchainUrl).toBe('http://blockchain:4004/graphql');
    expect(() => loadPaymentsConfig({ ...PAYMENTS_DEPLOYMENT, [name]: '' })).toThrow(`${name} must be set in production`);
  });

  it('projects (and its task workers) require AI_URL, the AI subgraph that checks and runs AI jobs', () => {
    expect(loadProjectsConfig({ ...PRODUCTION, AI_URL: 'http://ai:4005/graphql' }).projects.aiUrl).toBe('http://ai:4005/graphql');
    expect(() => loadProjectsConfig(PRODUCTION)).toThrow('AI_URL must be set in production');
    expect(loadProjectsConfig({ DATA_DIR: dataDir }).projects.aiUrl).toBe('http://localhost:4005/graphql');
  });

  it('payments requires real Stripe keys, and a key always comes with its webhook secret', () => {
    expect(() => loadPaymentsConfig({ ...PAYMENTS_DEPLOYMENT, STRIPE_SECRET_KEY: '' })).toThrow(
      'STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set in production',
    );
    expect(() => loadPaymentsConfig({ DATA_DIR: dataDir, STRIPE_SECRET_KEY: 'sk_test_x' })).toThrow('STRIPE_WEBHOOK_SECRET must be set with STRIPE_SECRET_KEY');
  });

  it.each(['RPC_URL', 'FORGE_TOKEN_ADDRESS', 'TREASURY_ADDRESS'])('blockchain requires %s', (name) => {
    const deployed = { ...PRODUCTION, RPC_URL: 'http://node:8545', FORGE_TOKEN_ADDRESS: '0x1', TREASURY_ADDRESS: '0x2' };
    expect(loadBlockchainConfig(deployed).blockchain.rpcUrl).toBe('http://node:8545');
    expect(() => loadBlockchainConfig({ ...deployed, [name]: '' })).toThrow(`${name} must be set in production`);
  });
});

describe('defaults', () => {
  it('outside production, each service starts with no configuration at all', () => {
    const env = { DATA_DIR: dataDir };
    const payments = loadPaymentsConfig(env);
    expect(payments.payments).toMatchObject({
      usersUrl: 'http://localhost:4001/graphql',
      blockchainUrl: 'http://localhost:4004/graphql',
      planPrices: { PRO: 2000, ENTERPRISE: 10000 },
      feeDiscounts: { FREE: 0, PRO: 10, ENTERPRISE: 25 },
      upgradeChargeTimeoutMs: 900_000,
    });
    expect(payments.blockchain).toEqual({ treasuryAddress: undefined, deploymentPath: join(dataDir, 'chain', 'deployment.json'), confirmations: 3 });
    expect(loadRouterConfig(env)).toMatchObject({
      production: false,
      host: '127.0.0.1',
      logLevel: 'info',
      keepAliveMs: 12_000,
      redisUrl: undefined,
      router: {
        port: 4000,
        supergraphPath: join(REPO_ROOT, 'supergraph.graphql'),
        supergraphWatch: true,
        supergraphUrl: undefined,
        supergraphPollIntervalMs: 10_000,
        workers: 1,
        subgraphUrls: {},
      },
    });
    expect(loadProjectsConfig(env).projects).toMatchObject({ inProcessWorker: true, tierWeights: { ENTERPRISE: 6, PRO: 3, FREE: 1 } });
    expect(loadProjectsConfig({ ...env, REDIS_URL: 'redis://r' }).projects.inProcessWorker).toBe(false);
    expect(loadBlockchainConfig(env).blockchain).toMatchObject({ rpcUrl: undefined, confirmations: 3, localChain: { port: 8545, chainId: 31337 } });
  });

  it('missing secrets are generated once per data folder, so every process of one checkout agrees on them', () => {
    const router = loadRouterConfig({ DATA_DIR: dataDir });
    const users = loadUsersConfig({ DATA_DIR: dataDir });
    expect(users.routerSigningSecret).toBe(router.routerSigningSecret);
    expect(users.jwt.secret).toBe(router.jwt.secret);
    expect(loadProjectsConfig({ DATA_DIR: dataDir }).routerSigningSecret).toBe(router.routerSigningSecret);
    const saved = JSON.parse(readFileSync(join(dataDir, 'dev-secrets.json'), 'utf8')) as Record<string, string>;
    expect(saved).toEqual({ routerSigningSecret: router.routerSigningSecret, jwtSecret: router.jwt.secret });
  });

  it('WS_KEEPALIVE_MS and per-subgraph overrides reach the configuration', () => {
    const router = loadRouterConfig({ DATA_DIR: dataDir, WS_KEEPALIVE_MS: '500', SUBGRAPH_USERS_URL: 'http://u/graphql', SUBGRAPH_USERS_TIMEOUT_MS: '700' });
    expect(router.keepAliveMs).toBe(500);
    expect(router.router.subgraphUrls).toEqual({ users: 'http://u/graphql' });
    expect(router.protection.subgraphs.timeoutOverrides).toEqual({ users: 700 });
    expect(loadUsersConfig({ DATA_DIR: dataDir, WS_KEEPALIVE_MS: '500' }).keepAliveMs).toBe(500);
  });
});

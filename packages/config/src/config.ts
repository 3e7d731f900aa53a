import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  /** Shared by router and subgraphs: signs the identity the router forwards. */
  routerSigningSecret: string;
  jwt: JwtConfig;
  router: RouterConfig;
  users: UsersConfig;
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
}

export interface UsersConfig {
  port: number;
  /** Postgres URL; when absent the subgraph runs on an embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  /** Emails that are given the ADMIN role when they register. */
  adminEmails: string[];
  siwe: { domain: string; nonceTtlSeconds: number };
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
    },
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
    },
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

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, name: string): T {
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
}

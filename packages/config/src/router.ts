import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { loadJwtConfig, type JwtConfig } from './jwt';
import { byName, flag, int, list, oneOf, text, tierTable, type Env } from './parsers';
import { loadEventsConfig, loadServiceConfig, REPO_ROOT, type EventsConfig, type ServiceConfig } from './service';

/** Everything the router reads; it verifies JWTs, so it needs JWT_SECRET. */
export interface RouterServiceConfig extends ServiceConfig, EventsConfig {
  /**
   * REDIS_URL: rate-limit windows, persisted queries and the response cache, shared by router instances;
   * and the event bus, on which the router hears of tier changes. Default: unset, in-process.
   */
  redisUrl: string | undefined;
  jwt: JwtConfig;
  router: RouterConfig;
  protection: ProtectionConfig;
}

export interface RouterConfig {
  /** ROUTER_PORT. Default 4000. */
  port: number;
  /** SUPERGRAPH_PATH: the composed supergraph the router serves. Default `<repo>/supergraph.graphql`. */
  supergraphPath: string;
  /** SUPERGRAPH_WATCH: reload the supergraph when the file at supergraphPath changes (`npm run compose` while running). Default on. */
  supergraphWatch: boolean;
  /** SUPERGRAPH_URL: also poll this URL for the supergraph (conditional GETs with the last ETag); it replaces the file's once fetched. Default: unset. */
  supergraphUrl: string | undefined;
  /** SUPERGRAPH_POLL_INTERVAL_MS: time between polls of supergraphUrl. Default 10000. */
  supergraphPollIntervalMs: number;
  /** SUBGRAPH_<NAME>_URL: routing URL overrides by subgraph name. Default: the supergraph's URLs. */
  subgraphUrls: Record<string, string>;
  /** API_KEY_CACHE_MS: how long a verified API key is trusted before the users subgraph is asked again. Default 30000. */
  apiKeyCacheMs: number;
  /**
   * TIER_CACHE_MS: how long the router serves a user at the tier it read from the users subgraph without
   * hearing of a change (a change event makes it read again at once; this bounds how stale a tier can be
   * when the event is lost). Default 30000 with REDIS_URL; without it no other process's change can be
   * heard, so 0: every request reads the tier (one small call to users, shared by concurrent requests).
   */
  tierCacheMs: number;
  /** READY_TIMEOUT_MS: timeout of each subgraph probe behind /ready. Default 2000. */
  readyTimeoutMs: number;
  /** MAX_SUBSCRIPTIONS_PER_CONNECTION: operations one client WebSocket may run at once. Default 100. */
  maxSubscriptionsPerConnection: number;
  /**
   * MAX_SUBSCRIPTIONS_PER_CALLER: subscriptions one caller (API key, user, else address: as rate
   * limiting counts them) may have running at once in one router process, over every connection
   * and transport. 0: no limit. Default 500.
   */
  maxSubscriptionsPerCaller: number;
  /** OPERATION_DEDUPE: identical queries of one caller in flight at once share one execution and one response. Default on. */
  operationDedupe: boolean;
  /** ROUTER_WORKERS: router processes sharing the port (node:cluster), or `auto` for one per core. Default 1 (the main process). */
  workers: number;
  /**
   * CORS_ORIGINS: comma-separated origins whose browser pages may call the router (`https://portal.example.com`:
   * scheme, host and port exactly as the browser sends them), with credentials; `*` lets any origin call, without
   * credentials. Default in development `http://localhost:3000,http://127.0.0.1:3000` (the local portal); in production none.
   */
  corsOrigins: string[];
  /**
   * QUERY_EXECUTOR: what runs queries and mutations. `router`: the router's own plan executor;
   * `gateway`: stock @apollo/gateway, kept selectable for comparison and as a fallback. Default `router`.
   */
  queryExecutor: 'router' | 'gateway';
  /**
   * QUERY_PLANNER: the planner the router's executor plans with: `hive` (Hive Router's Rust planner,
   * an npm addon) or `apollo` (@apollo/query-planner, what @apollo/gateway plans with). Default `hive`.
   */
  queryPlanner: 'hive' | 'apollo';
}

/**
 * Router protection and operations (issue 8): operation limits, per-subgraph resilience, rate
 * limiting, persisted queries, response cache and metrics. Documented in router/README.md.
 */
export interface ProtectionConfig {
  /** LIMIT_MAX_DEPTH (15), LIMIT_MAX_ALIASES (30), LIMIT_MAX_ROOT_FIELDS (20), LIMIT_MAX_TOKENS (5000), LIMIT_MAX_COST (10000). */
  limits: { maxDepth: number; maxAliases: number; maxRootFields: number; maxTokens: number; maxCost: number };
  subgraphs: {
    /** SUBGRAPH_TIMEOUT_MS: per attempt. Default 10000. */
    timeoutMs: number;
    /** SUBGRAPH_<NAME>_TIMEOUT_MS: per-subgraph timeouts overriding timeoutMs. Default: none. */
    timeoutOverrides: Record<string, number>;
    /**
     * NON_RETRYABLE_FETCH_TIMEOUT_MS: the deadline of a fetch that selects a field marked @nonRetryable
     * in the supergraph (a model generation), in place of the subgraph's timeout; such a fetch is never retried. Default 60000.
     */
    nonRetryableTimeoutMs: number;
    /** SUBGRAPH_RETRIES: extra attempts of a failed query fetch (never a mutation, nor a fetch of a @nonRetryable field). Default 2. */
    retries: number;
    /** SUBGRAPH_RETRY_BASE_MS: first retry delay. Default 100. */
    retryBaseMs: number;
    /** SUBGRAPH_RETRY_MAX_MS: longest retry delay. Default 2000. */
    retryMaxMs: number;
    /** BREAKER_FAILURE_THRESHOLD: consecutive failures that open a subgraph's circuit. Default 5. */
    breakerFailureThreshold: number;
    /** BREAKER_RESET_MS: how long an open circuit waits before a trial request. Default 30000. */
    breakerResetMs: number;
    /** SUBGRAPH_DEDUPE: share one round trip among identical query fetches in flight at once (same identity). Default on. */
    dedupe: boolean;
  };
  rateLimit: {
    /** RATE_LIMIT_PER_MINUTE: requests per window and caller; 0 turns rate limiting off. Default 100. */
    perMinute: number;
    /** RATE_LIMIT_WINDOW_MS. Default 60000. */
    windowMs: number;
    /** RATE_LIMIT_TIERS: requests per window by tier, overriding perMinute (e.g. `PRO=1000`). Default: none. */
    tiers: Record<string, number>;
    /** RATE_LIMIT_TRUST_PROXY: take the anonymous caller's address from the first X-Forwarded-For entry. Default off. */
    trustProxy: boolean;
  };
  /**
   * SOCKET_TICKETS_PER_MINUTE: socket tickets (POST /socket-ticket) a caller may get per RATE_LIMIT_WINDOW_MS,
   * counted by API key or user, and refusals of callers who are not signed in counted by address; 0 turns it off.
   * Default 60: a page asks one per (re)connection of its live view, which a person does less than once a second.
   */
  socketTickets: { perMinute: number };
  /**
   * PERSISTED_QUERIES: apq, safelist or off (default apq); PERSISTED_QUERIES_TTL_SECONDS (86400);
   * PERSISTED_QUERIES_MANIFEST: operations registered into the safelist at start (Apollo manifest or hash → query JSON).
   */
  persistedQueries: { mode: 'apq' | 'safelist' | 'off'; ttlSeconds: number; manifestPath: string | undefined };
  /** RESPONSE_CACHE (default on); RESPONSE_CACHE_MAX_ENTRY_BYTES (1000000). */
  responseCache: { enabled: boolean; maxEntryBytes: number };
  /** METRICS: serve /metrics. Default on. */
  metrics: { enabled: boolean };
}

export function loadRouterConfig(env: Env = process.env): RouterServiceConfig {
  const service = loadServiceConfig(env);
  const events = loadEventsConfig(env);
  return {
    ...service,
    ...events,
    jwt: loadJwtConfig(env, service),
    router: {
      port: int(env, 'ROUTER_PORT', 4000),
      supergraphPath: resolve(env.SUPERGRAPH_PATH ?? join(REPO_ROOT, 'supergraph.graphql')),
      supergraphWatch: flag(env, 'SUPERGRAPH_WATCH', true),
      supergraphUrl: text(env, 'SUPERGRAPH_URL'),
      supergraphPollIntervalMs: int(env, 'SUPERGRAPH_POLL_INTERVAL_MS', 10_000),
      subgraphUrls: byName(env, 'SUBGRAPH_', '_URL'),
      apiKeyCacheMs: int(env, 'API_KEY_CACHE_MS', 30_000),
      tierCacheMs: int(env, 'TIER_CACHE_MS', events.redisUrl ? 30_000 : 0),
      readyTimeoutMs: int(env, 'READY_TIMEOUT_MS', 2_000),
      maxSubscriptionsPerConnection: int(env, 'MAX_SUBSCRIPTIONS_PER_CONNECTION', 100),
      maxSubscriptionsPerCaller: int(env, 'MAX_SUBSCRIPTIONS_PER_CALLER', 500),
      operationDedupe: flag(env, 'OPERATION_DEDUPE', true),
      workers: env.ROUTER_WORKERS === 'auto' ? availableParallelism() : int(env, 'ROUTER_WORKERS', 1),
      corsOrigins: corsOrigins(env, service.production),
      queryExecutor: oneOf(env, 'QUERY_EXECUTOR', ['router', 'gateway'] as const, 'router'),
      queryPlanner: oneOf(env, 'QUERY_PLANNER', ['hive', 'apollo'] as const, 'hive'),
    },
    protection: loadProtectionConfig(env),
  };
}

/** The local portal (apps/portal, `next dev`) calls the router from another origin. */
const DEVELOPMENT_CORS_ORIGINS = 'http://localhost:3000,http://127.0.0.1:3000';

function corsOrigins(env: Env, production: boolean): string[] {
  const origins = list({ CORS_ORIGINS: env.CORS_ORIGINS || (production ? '' : DEVELOPMENT_CORS_ORIGINS) }, 'CORS_ORIGINS');
  for (const origin of origins) {
    // Browsers compare origins as exact strings: a path or trailing slash would never match.
    const exact = origin === '*' || (URL.canParse(origin) && new URL(origin).origin === origin);
    if (!exact) throw new Error(`CORS_ORIGINS entries are origins like https://portal.example.com or *, got "${origin}"`);
  }
  return origins;
}

function loadProtectionConfig(env: Env): ProtectionConfig {
  const timeoutOverrides = Object.fromEntries(
    Object.entries(byName(env, 'SUBGRAPH_', '_TIMEOUT_MS')).map(([name]) => [name, int(env, `SUBGRAPH_${name.toUpperCase()}_TIMEOUT_MS`, 0)]),
  );
  return {
    limits: {
      maxDepth: int(env, 'LIMIT_MAX_DEPTH', 15),
      maxAliases: int(env, 'LIMIT_MAX_ALIASES', 30),
      maxRootFields: int(env, 'LIMIT_MAX_ROOT_FIELDS', 20),
      maxTokens: int(env, 'LIMIT_MAX_TOKENS', 5_000),
      maxCost: int(env, 'LIMIT_MAX_COST', 10_000),
    },
    subgraphs: {
      timeoutMs: int(env, 'SUBGRAPH_TIMEOUT_MS', 10_000),
      timeoutOverrides,
      nonRetryableTimeoutMs: int(env, 'NON_RETRYABLE_FETCH_TIMEOUT_MS', 60_000),
      retries: int(env, 'SUBGRAPH_RETRIES', 2),
      retryBaseMs: int(env, 'SUBGRAPH_RETRY_BASE_MS', 100),
      retryMaxMs: int(env, 'SUBGRAPH_RETRY_MAX_MS', 2_000),
      breakerFailureThreshold: int(env, 'BREAKER_FAILURE_THRESHOLD', 5),
      breakerResetMs: int(env, 'BREAKER_RESET_MS', 30_000),
      dedupe: flag(env, 'SUBGRAPH_DEDUPE', true),
    },
    rateLimit: {
      perMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 100),
      windowMs: int(env, 'RATE_LIMIT_WINDOW_MS', 60_000),
      tiers: tierTable(env, 'RATE_LIMIT_TIERS'),
      trustProxy: flag(env, 'RATE_LIMIT_TRUST_PROXY', false),
    },
    socketTickets: { perMinute: int(env, 'SOCKET_TICKETS_PER_MINUTE', 60) },
    persistedQueries: {
      mode: oneOf(env, 'PERSISTED_QUERIES', ['apq', 'safelist', 'off'] as const, 'apq'),
      ttlSeconds: int(env, 'PERSISTED_QUERIES_TTL_SECONDS', 86_400),
      manifestPath: env.PERSISTED_QUERIES_MANIFEST ? resolve(env.PERSISTED_QUERIES_MANIFEST) : undefined,
    },
    responseCache: {
      enabled: flag(env, 'RESPONSE_CACHE', true),
      maxEntryBytes: int(env, 'RESPONSE_CACHE_MAX_ENTRY_BYTES', 1_000_000),
    },
    metrics: { enabled: flag(env, 'METRICS', true) },
  };
}

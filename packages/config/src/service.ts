import { join, resolve } from 'node:path';
import { int, oneOf, text, type Env } from './parsers';
import { secret } from './secrets';

export const REPO_ROOT = resolve(__dirname, '../../..');

/** Settings every TypeScript service reads (router, subgraphs, the projects worker). */
export interface ServiceConfig {
  /** NODE_ENV=production: secrets and deployment addresses must be set; no Sandbox or introspection. Default: off. */
  production: boolean;
  /** HOST: interface the server listens on. Default `127.0.0.1` (`0.0.0.0` in containers). */
  host: string;
  /** DATA_DIR: embedded databases and generated development secrets. Default `<repo>/.data`. */
  dataDir: string;
  /** LOG_LEVEL: debug, info, warn or error. Default `info`. */
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** SHUTDOWN_GRACE_MS: how long a stopping server waits for in-flight requests. Default 10000. */
  shutdownGraceMs: number;
  /** MAX_BODY_BYTES: largest request body; larger gets HTTP 413. Default 1000000. */
  maxBodyBytes: number;
  /** ROUTER_SIGNING_SECRET: signs (router) and verifies (subgraphs) the forwarded identity. Generated in development; required in production. */
  routerSigningSecret: string;
  /** WS_KEEPALIVE_MS: interval of graphql-ws pings on every socket this process serves or opens. Default 12000. */
  keepAliveMs: number;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: where OpenTelemetry traces go. Default: unset, no tracing. */
  otlpEndpoint: string | undefined;
}

/** Settings of a service that publishes or consumes events. */
export interface EventsConfig {
  /** REDIS_URL: Redis for events (and queues, caches). Default: unset, in-process stand-ins. */
  redisUrl: string | undefined;
  /** EVENT_CHANNEL_PREFIX: prefix of every event channel on Redis; separates deployments sharing one Redis. Default `supergraph:`. */
  eventChannelPrefix: string;
  /** EVENT_RETENTION: events each channel keeps for subscriptions that resume after a position (`after`). Default 10000. */
  eventRetention: number;
  /** EVENT_RETENTION_SECONDS: how long Redis keeps the event log of a channel nothing is published on. Default 86400 (a day). */
  eventRetentionSeconds: number;
}

export function loadServiceConfig(env: Env): ServiceConfig {
  const production = env.NODE_ENV === 'production';
  const dataDir = resolve(env.DATA_DIR || join(REPO_ROOT, '.data'));
  return {
    production,
    host: text(env, 'HOST') ?? '127.0.0.1',
    dataDir,
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 10_000),
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 1_000_000),
    routerSigningSecret: secret(env, 'ROUTER_SIGNING_SECRET', { production, dataDir }),
    keepAliveMs: int(env, 'WS_KEEPALIVE_MS', 12_000),
    otlpEndpoint: text(env, 'OTEL_EXPORTER_OTLP_ENDPOINT'),
  };
}

export function loadEventsConfig(env: Env): EventsConfig {
  return {
    redisUrl: text(env, 'REDIS_URL'),
    eventChannelPrefix: env.EVENT_CHANNEL_PREFIX ?? 'supergraph:',
    eventRetention: int(env, 'EVENT_RETENTION', 10_000),
    eventRetentionSeconds: int(env, 'EVENT_RETENTION_SECONDS', 86_400),
  };
}

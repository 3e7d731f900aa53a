import { loadJwtConfig, type JwtConfig } from './jwt';
import { int, list, text, type Env } from './parsers';
import { loadEventsConfig, loadServiceConfig, type EventsConfig, type ServiceConfig } from './service';

/** Everything the users subgraph reads; it issues JWTs, so it needs JWT_SECRET. */
export interface UsersServiceConfig extends ServiceConfig, EventsConfig {
  jwt: JwtConfig;
  users: UsersConfig;
}

export interface UsersConfig {
  /** USERS_PORT. Default 4001. */
  port: number;
  /** USERS_DATABASE_URL: PostgreSQL. Default: unset, an embedded PGlite under DATA_DIR. */
  databaseUrl: string | undefined;
  /** ADMIN_EMAILS: comma-separated emails given the ADMIN role when they register. Default: none. */
  adminEmails: string[];
  /** SIWE_DOMAIN: the domain Sign-In with Ethereum messages must name (default `localhost:4000`); SIWE_NONCE_TTL_SECONDS (300). */
  siwe: { domain: string; nonceTtlSeconds: number };
  /** USERS_MAX_PAGE_SIZE: largest `first` the admin `users` query accepts (one page is one SQL query and one response). Default 100. */
  maxPageSize: number;
}

export function loadUsersConfig(env: Env = process.env): UsersServiceConfig {
  const service = loadServiceConfig(env);
  return {
    ...service,
    ...loadEventsConfig(env),
    jwt: loadJwtConfig(env, service),
    users: {
      port: int(env, 'USERS_PORT', 4001),
      databaseUrl: text(env, 'USERS_DATABASE_URL'),
      adminEmails: list(env, 'ADMIN_EMAILS').map((email) => email.toLowerCase()),
      siwe: {
        domain: env.SIWE_DOMAIN ?? 'localhost:4000',
        nonceTtlSeconds: int(env, 'SIWE_NONCE_TTL_SECONDS', 300),
      },
      maxPageSize: int(env, 'USERS_MAX_PAGE_SIZE', 100),
    },
  };
}

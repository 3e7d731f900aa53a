import { int, type Env } from './parsers';
import { secret } from './secrets';
import type { ServiceConfig } from './service';

/** Access tokens: read by the users subgraph (issues them) and the router (verifies them), nobody else. */
export interface JwtConfig {
  /** JWT_SECRET: HS256 secret shared by issuer and verifier. Generated in development; required in production. */
  secret: string;
  /** JWT_ISSUER: the tokens' `iss`. Default `supergraph`. */
  issuer: string;
  /** JWT_AUDIENCE: the tokens' `aud`. Default `supergraph`. */
  audience: string;
  /** JWT_TTL_SECONDS: lifetime of an access token. Default 3600. */
  ttlSeconds: number;
}

export function loadJwtConfig(env: Env, service: Pick<ServiceConfig, 'production' | 'dataDir'>): JwtConfig {
  return {
    secret: secret(env, 'JWT_SECRET', service),
    issuer: env.JWT_ISSUER ?? 'supergraph',
    audience: env.JWT_AUDIENCE ?? 'supergraph',
    ttlSeconds: int(env, 'JWT_TTL_SECONDS', 3600),
  };
}

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { text, type Env } from './parsers';

/** The secrets that, outside production, are generated for a checkout when not set. */
const DEVELOPMENT_SECRETS = { ROUTER_SIGNING_SECRET: 'routerSigningSecret', JWT_SECRET: 'jwtSecret' } as const;

type DevelopmentSecrets = Record<(typeof DEVELOPMENT_SECRETS)[keyof typeof DEVELOPMENT_SECRETS], string>;

/**
 * A shared secret: the variable's value; in production it must be set; in development it defaults
 * to the one generated under DATA_DIR, so every process started from one checkout agrees on it.
 */
export function secret(env: Env, name: keyof typeof DEVELOPMENT_SECRETS, options: { production: boolean; dataDir: string }): string {
  const value = text(env, name);
  if (value) return value;
  if (options.production) throw new Error(`${name} must be set in production`);
  return developmentSecrets(options.dataDir)[DEVELOPMENT_SECRETS[name]];
}

/** Generated once and kept in DATA_DIR/dev-secrets.json (mode 0600). */
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

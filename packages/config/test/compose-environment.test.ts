/**
 * docker-compose.yml against the services' configuration loaders: every service is started, in
 * production mode, with exactly the environment compose gives it, by the loader that service runs
 * (the TypeScript ones in this process, the AI subgraph's in its own Python). A variable missing
 * from the compose wiring fails here, not in a deployment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, type Env } from '@supergraph/config';
import { SERVICE_LOADERS, type Loader } from '@supergraph/testing';

const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.yml');

/**
 * The loader each compose service runs. Every service in docker-compose.yml must be listed: a new
 * one fails the coverage test below until it is mapped (null: a backing service we do not configure).
 * Compose runs no migration step: each subgraph migrates its database at start.
 */
const { migrations: _notInCompose, ...composeServices } = SERVICE_LOADERS;
const LOADERS: Record<string, Loader | null> = { postgres: null, redis: null, prometheus: null, grafana: null, ...composeServices };

/** Variables each service cannot start without in production: removing one from its compose environment must fail its loader. */
const REQUIRED: [service: string, variable: string][] = [
  ['router', 'JWT_SECRET'],
  ['router', 'ROUTER_SIGNING_SECRET'],
  ['users', 'JWT_SECRET'],
  ['projects', 'ROUTER_SIGNING_SECRET'],
  ['payments', 'BLOCKCHAIN_URL'],
  ['payments', 'USERS_URL'],
  ['payments', 'TREASURY_ADDRESS'],
  ['payments', 'STRIPE_SECRET_KEY'],
  ['blockchain', 'RPC_URL'],
  ['blockchain', 'FORGE_TOKEN_ADDRESS'],
  ['ai', 'AI_METRICS_TOKEN'],
  ['ai', 'ROUTER_SIGNING_SECRET'],
  ['ai', 'AI_PROJECTS_URL'],
];

const composeText = readFileSync(COMPOSE_FILE, 'utf8');
const compose = parse(composeText, { merge: true }) as { services: Record<string, { environment?: Record<string, unknown> | string[] }> };
/** The operator's shell: a placeholder for every variable compose insists on (`${VAR:?…}`), nothing else, so every default applies. */
const shell: Env = Object.fromEntries([...composeText.matchAll(/\$\{([A-Za-z_]\w*):?\?/g)].map(([, name]) => [name!, `placeholder-${name!.toLowerCase()}`]));
const configured = Object.entries(LOADERS).flatMap(([service, loader]) => (loader ? [[service, loader] as const] : []));

it('maps every compose service to the loader it runs', () => {
  expect(Object.keys(compose.services).sort()).toEqual(Object.keys(LOADERS).sort());
});

describe.each(configured)('%s', (service, load) => {
  const env = serviceEnvironment(service);

  it('runs in production mode', () => {
    expect(env.NODE_ENV).toBe('production');
  });

  it('loads its configuration from exactly what compose gives it', () => {
    expect(load(env).error).toBeUndefined();
  });

  it('is given only variables its loader reads', () => {
    const { read } = load(env);
    expect(Object.keys(env).filter((name) => !read.includes(name))).toEqual([]);
  });
});

it.each(REQUIRED)('%s fails to load without %s', (service, variable) => {
  const env = serviceEnvironment(service);
  expect(env[variable]).toBeTruthy();
  const { [variable]: _removed, ...without } = env;
  expect(LOADERS[service]!(without).error).toContain(variable);
});

/** The service's `environment:` as the container sees it, interpolated against `shell`. */
function serviceEnvironment(service: string): Env {
  const declared = compose.services[service]?.environment ?? {};
  const entries: [string, unknown][] = Array.isArray(declared)
    ? declared.map((entry) => (entry.includes('=') ? [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] : [entry, null]))
    : Object.entries(declared);
  const env: Env = {};
  for (const [name, value] of entries) {
    // A bare name passes the shell's value through, or nothing when the shell has none.
    const resolved = value === null ? shell[name] : interpolate(String(value));
    if (resolved !== undefined) env[name] = resolved;
  }
  return env;
}

/** Compose's interpolation: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}. */
function interpolate(value: string): string {
  return value.replace(/\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}|\$(\w+)/g, (match, braced?: string, operator?: string, argument?: string, bare?: string) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare)!;
    const current = shell[name];
    const missing = operator?.startsWith(':') ? !current : current === undefined;
    if (!missing || !operator) return current ?? '';
    if (operator.endsWith('?')) throw new Error(`compose refuses to start ${name}: ${argument}`);
    return argument ?? '';
  });
}

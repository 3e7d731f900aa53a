/**
 * Starts every subgraph listed in supergraph.yaml, the router and the portal at once (each folder's
 * `start` script), and waits until each answers /health. The router needs no subgraph to start (it plans
 * over the composed supergraph.graphql), so nothing waits for anything else. One Ctrl-C or SIGTERM
 * stops them all; a process that dies is restarted with backoff (supervisor.ts) while the others run on.
 */
import { readFileSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { loadRouterConfig } from '@supergraph/config';
import { readSupergraphConfig } from './composition';
import { Supervisor } from './supervisor';

const root = resolve(__dirname, '..');
const supervisor = new Supervisor();
let stopping = false;

// Every process gets the same secrets: from the environment, or the development ones that
// the router's loader generates once under .data/ (the Python subgraph cannot read that file itself).
const config = loadRouterConfig();
const sharedEnv = { ROUTER_SIGNING_SECRET: config.routerSigningSecret, JWT_SECRET: config.jwt.secret };

/**
 * Runs the folder's `start` script as `npm run start` would (same shell, node_modules/.bin on PATH)
 * but without npm itself, whose own start costs about a second of CPU per service.
 */
function start(name: string, cwd: string): void {
  const command = (JSON.parse(readFileSync(resolve(cwd, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const path = [resolve(cwd, 'node_modules/.bin'), resolve(root, 'node_modules/.bin'), process.env.PATH].join(delimiter);
  supervisor.start({ name, command, cwd, env: { ...process.env, ...sharedEnv, PATH: path } });
}

function stop(code: number): void {
  stopping = true;
  void supervisor.stop().then(() => process.exit(code));
}

const startedAt = Date.now();
const elapsed = (): string => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;

async function waitForHealth(name: string, url: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    const healthy = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) {
      console.log(`platform: ${name} is up (${elapsed()})`);
      return;
    }
    await new Promise((done) => setTimeout(done, 300));
  }
  throw new Error(`${name} did not answer ${url} within ${timeoutMs / 1000} s`);
}

/** Waits for all of them, saying every few seconds which are still starting, so a slow start is never silent. */
async function waitForAll(services: { name: string; healthUrl: string }[]): Promise<void> {
  const pending = new Set(services.map((service) => service.name));
  const reminder = setInterval(() => console.log(`platform: still starting ${[...pending].join(', ')} (${elapsed()})`), 10_000);
  try {
    await Promise.all(services.map((service) => waitForHealth(service.name, service.healthUrl).then(() => pending.delete(service.name))));
  } finally {
    clearInterval(reminder);
  }
}

async function main(): Promise<void> {
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  const { subgraphs } = readSupergraphConfig(resolve(root, 'supergraph.yaml'));
  const port = process.env.ROUTER_PORT ?? '4000';
  const portalPort = process.env.PORTAL_PORT ?? '3000';
  // The portal's live views open sockets to the router from the portal's origin, which the router must allow (its default is port 3000).
  if (process.env.NODE_ENV !== 'production') process.env.CORS_ORIGINS ||= `http://localhost:${portalPort},http://127.0.0.1:${portalPort}`;
  // Sign-In with Ethereum messages name the host of the page that asks for the signature: the portal at the URL printed below.
  process.env.SIWE_DOMAIN ||= `localhost:${portalPort}`;
  const services = [
    ...subgraphs.map((subgraph) => ({
      name: subgraph.name,
      folder: resolve(root, 'subgraphs', subgraph.name),
      healthUrl: new URL('/health', subgraph.routingUrl).href,
    })),
    { name: 'router', folder: resolve(root, 'router'), healthUrl: `http://localhost:${port}/health` },
    // The Next.js portal (`next start` on the build scripts/setup.sh made); it calls the router at ROUTER_PORT.
    { name: 'portal', folder: resolve(root, 'apps/portal'), healthUrl: `http://localhost:${portalPort}/health` },
  ];
  console.log(`platform: starting ${services.map((service) => service.name).join(', ')}`);
  for (const service of services) start(service.name, service.folder);
  await waitForAll(services);
  console.log(
    `\n  Supergraph ready: http://localhost:${port}/graphql\n  Apollo Sandbox:   http://localhost:${port}/\n  Portal:           http://localhost:${portalPort}/\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  stop(1);
});

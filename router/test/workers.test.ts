import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@supergraph/config';
import { graphql } from '@supergraph/testing';
import { catalog, composeSupergraph, freePort, type FakeSubgraph } from './fleet';

/** ROUTER_WORKERS: the router on several cores, each worker the whole router, one port. */
describe('a router with two workers', () => {
  let subgraph: FakeSubgraph;
  let primary: ChildProcess;
  let graphqlUrl: string;
  const output: string[] = [];
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    subgraph = await catalog();
    const supergraph = composeSupergraph([subgraph]);
    cleanups.push(supergraph.cleanup);
    const port = await freePort();
    graphqlUrl = `http://127.0.0.1:${port}/graphql`;
    primary = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'router/src/main.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        ROUTER_PORT: String(port),
        ROUTER_WORKERS: '2',
        SUPERGRAPH_PATH: supergraph.path,
        ROUTER_SIGNING_SECRET: 'workers-test-signing-secret',
        JWT_SECRET: 'workers-test-jwt-secret',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'router-workers-')),
        RATE_LIMIT_PER_MINUTE: '0',
        REDIS_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [primary.stdout!, primary.stderr!]) stream.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    await until(
      async () => (await workerPids()).length === 2 && (await answers()),
      90_000,
      () => `workers ${JSON.stringify(lastPids)}, last answer ${lastAnswer}, router output:\n${output.join('')}`,
    );
  }, 150_000);

  afterAll(async () => {
    if (primary.exitCode === null) primary.kill('SIGKILL');
    await subgraph?.stop();
    for (const cleanup of cleanups) cleanup();
  });

  let lastPids: number[] = [];
  let lastAnswer = '';
  const workerPids = async (): Promise<number[]> => {
    try {
      // Node children only: tsx may run an esbuild service beside the workers while its cache is cold.
      lastPids = execFileSync('pgrep', ['-P', String(primary.pid), '-x', 'node'], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      lastPids = []; // pgrep exits 1 when there are none
    }
    return lastPids;
  };
  const answers = () =>
    graphql(graphqlUrl, '{ products { name } }').then(
      (response) => {
        lastAnswer = JSON.stringify(response);
        return JSON.stringify(response.data) === JSON.stringify({ products: [{ name: 'lamp' }, { name: 'desk' }] });
      },
      (error: unknown) => {
        lastAnswer = String(error);
        return false;
      },
    );

  it('serves from both workers on one port', async () => {
    subgraph.requests.length = 0;
    const results = await Promise.all(Array.from({ length: 20 }, answers));
    expect(results.every(Boolean)).toBe(true);
    expect(await workerPids()).toHaveLength(2);
  });

  it('replaces a worker that dies', async () => {
    const [victim, survivor] = await workerPids();
    // A connection handed to the worker as it dies may fail; the router as a whole stays up.
    process.kill(victim!, 'SIGKILL');
    await until(async () => {
      const pids = await workerPids();
      return pids.length === 2 && pids.includes(survivor!) && !pids.includes(victim!);
    });
    await until(answers);
  }, 60_000);

  it('stops every worker and exits cleanly on SIGTERM', async () => {
    const pids = await workerPids();
    const exited = new Promise<number | null>((resolve) => primary.once('exit', resolve));
    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  }, 30_000);
});

async function until(condition: () => Promise<boolean>, timeoutMs = 60_000, explain: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met in time ${explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

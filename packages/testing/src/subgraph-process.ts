import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@supergraph/config';
import { freePort, startRestartableProcess, type RestartableProcess } from './process';

export type TypeScriptSubgraph = 'users' | 'projects' | 'payments' | 'blockchain';

/** A subgraph in a process of its own: its GraphQL URL, which stays the same across restarts. */
export type SubgraphProcess = { url: string } & RestartableProcess;

/**
 * A TypeScript subgraph started from its `main.ts` as `npm start` starts it, configured by `env`
 * (its database URL, secrets, the URLs of what it calls), on a port of its own: for tests that
 * crash a subgraph and bring it back. One process (node with tsx's loader, not the tsx CLI, which
 * forks), so a kill reaches the server itself.
 */
export async function startSubgraphProcess(
  name: TypeScriptSubgraph,
  env: Record<string, string>,
  /** Given when others must know its URL before it starts (see subgraphUrl). */
  port?: number,
): Promise<SubgraphProcess> {
  port ??= await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), `${name}-process-`));
  try {
    const subgraph = await startRestartableProcess({
      name: `the ${name} subgraph`,
      command: process.execPath,
      args: ['--import', 'tsx', join(REPO_ROOT, `subgraphs/${name}/src/main.ts`)],
      spawn: {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          NODE_ENV: 'test',
          LOG_LEVEL: 'error',
          HOST: '127.0.0.1',
          DATA_DIR: dataDir,
          [`${name.toUpperCase()}_PORT`]: String(port),
          ...env,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
      answers: async () => (await fetch(`${base}/health`)).ok,
      // tsx compiles the whole subgraph as it loads: slow on a busy machine.
      timeoutMs: 120_000,
    });
    return {
      ...subgraph,
      url: subgraphUrl(port),
      stop: async () => {
        await subgraph.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The GraphQL URL of a subgraph process on `port`. */
export const subgraphUrl = (port: number): string => `http://127.0.0.1:${port}/graphql`;

/**
 * The projects task worker (`npm run worker`) in a process of its own, configured by `env` (REDIS_URL,
 * PROJECTS_DATABASE_URL, …): resolves once it answers on its metrics port, which it keeps across restarts.
 */
export async function startTaskWorkerProcess(env: Record<string, string>): Promise<RestartableProcess> {
  const port = await freePort();
  return startRestartableProcess({
    name: 'the projects task worker',
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO_ROOT, 'subgraphs/projects/src/worker.ts')],
    spawn: {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'error', ...env, PROJECTS_WORKER_METRICS_PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
    answers: async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok,
  });
}

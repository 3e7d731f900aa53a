import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '@supergraph/config';

/**
 * The real Python AI subgraph as a child process (its environment comes from subgraphs/ai/setup.sh).
 * `env` adds its settings, e.g. AI_PROJECTS_URL and AI_DATA_DIR for the project index.
 */
export async function startAiSubgraph(signingSecret: string, env: Record<string, string> = {}): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(join(REPO_ROOT, 'subgraphs/ai/.venv/bin/python'), ['-m', 'supergraph_ai'], {
    cwd: join(REPO_ROOT, 'subgraphs/ai'),
    env: { ...process.env, AI_PORT: String(port), AI_HOST: '127.0.0.1', ROUTER_SIGNING_SECRET: signingSecret, LOG_LEVEL: 'warning', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the AI subgraph exited with ${child.exitCode}`);
    if (
      await fetch(`${url}/health`).then(
        (response) => response.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) throw new Error('the AI subgraph did not start within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url: `${url}/graphql`,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

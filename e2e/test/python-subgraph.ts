import { join } from 'node:path';
import { REPO_ROOT } from '@supergraph/config';
import { freePort, startProcess, stopProcess } from '@supergraph/testing';

/**
 * The real Python AI subgraph as a child process (its environment comes from subgraphs/ai/setup.sh).
 * `env` adds its settings, e.g. AI_PROJECTS_URL and AI_DATA_DIR for the project index.
 */
export async function startAiSubgraph(signingSecret: string, env: Record<string, string> = {}): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await startProcess({
    name: 'the AI subgraph',
    command: join(REPO_ROOT, 'subgraphs/ai/.venv/bin/python'),
    args: ['-m', 'supergraph_ai'],
    spawn: {
      cwd: join(REPO_ROOT, 'subgraphs/ai'),
      env: { ...process.env, AI_PORT: String(port), AI_HOST: '127.0.0.1', ROUTER_SIGNING_SECRET: signingSecret, LOG_LEVEL: 'warning', ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
    answers: async () => (await fetch(`${url}/health`)).ok,
  });
  return { url: `${url}/graphql`, stop: () => stopProcess(child) };
}

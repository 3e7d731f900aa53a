import { join } from 'node:path';
import { REPO_ROOT } from '@supergraph/config';
import { freePort, startRestartableProcess, type RestartableProcess } from '@supergraph/testing';

/**
 * The real Python AI subgraph as a child process (its environment comes from subgraphs/ai/setup.sh).
 * `env` adds its settings, e.g. AI_PROJECTS_URL and AI_DATA_DIR for the project index. A restart
 * keeps its port, so the router finds it where it was.
 */
export async function startAiSubgraph(
  signingSecret: string,
  env: Record<string, string> = {},
  /** Given when others must know its URL before it starts (see subgraphUrl). */
  port?: number,
): Promise<{ url: string } & RestartableProcess> {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const ai = await startRestartableProcess({
    name: 'the AI subgraph',
    command: join(REPO_ROOT, 'subgraphs/ai/.venv/bin/python'),
    args: ['-m', 'supergraph_ai'],
    spawn: {
      cwd: join(REPO_ROOT, 'subgraphs/ai'),
      env: { ...process.env, AI_PORT: String(port), AI_HOST: '127.0.0.1', ROUTER_SIGNING_SECRET: signingSecret, LOG_LEVEL: 'warning', ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
    answers: async () => (await fetch(`${url}/health`)).ok,
    // With a fresh AI_DATA_DIR the first start trains its models: a minute or more on a busy machine.
    timeoutMs: 180_000,
  });
  return { url: `${url}/graphql`, ...ai };
}

/**
 * Each deployable process's configuration loader, run on an environment as a deployment gives it:
 * the TypeScript ones in this process, the AI subgraph's in its own Python. What the deployment
 * tests check docker-compose.yml and the Helm chart with (packages/config/test/compose-environment.test.ts,
 * deploy/test/chart.test.ts): a variable missing from a deployment's wiring, or one no loader reads,
 * fails there, not in a deployment.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { compileFunction } from 'node:vm';
import ts from 'typescript';
import { CONFIG_LOADERS, loadMigrateConfig, REPO_ROOT, type Env } from '@supergraph/config';

const AI_DIR = join(REPO_ROOT, 'subgraphs/ai');
const AI_PYTHON = join(AI_DIR, '.venv/bin/python');

/** What a loader made of an environment: the variables it read, or the error it stopped with. */
export interface LoadResult {
  read: string[];
  error?: string;
}

export type Loader = (env: Env) => LoadResult;

/** By the name compose and the chart give each process (the projects worker runs the projects loader). */
export const SERVICE_LOADERS = {
  router: typeScript(CONFIG_LOADERS.router),
  users: typeScript(CONFIG_LOADERS.users),
  projects: typeScript(CONFIG_LOADERS.projects),
  'projects-worker': typeScript(CONFIG_LOADERS.projects),
  payments: typeScript(CONFIG_LOADERS.payments),
  blockchain: typeScript(CONFIG_LOADERS.blockchain),
  ai: python,
  migrations: typeScript(loadMigrateConfig),
  portal,
} satisfies Record<string, Loader>;

/** A TypeScript loader, run here on an environment that records which variables it reads. */
function typeScript(loadConfig: (env: Env) => unknown): Loader {
  return (env) => {
    const read = new Set<string>();
    const recording = new Proxy(env, {
      get: (target, name) => {
        if (typeof name === 'string') read.add(name);
        return target[name as string];
      },
    });
    try {
      loadConfig(recording);
      return { read: [...read] };
    } catch (error) {
      return { read: [...read], error: error instanceof Error ? error.message : String(error) };
    }
  };
}

const PORTAL_CONFIG = join(REPO_ROOT, 'apps/portal/src/config.ts');

/**
 * What the portal image's server (Next.js's standalone apps/portal/server.js) reads besides the portal's own
 * settings: the address it listens on, and NODE_ENV, which Next.js reads throughout (its server sets production).
 */
const NEXT_SERVER_VARIABLES = ['HOSTNAME', 'PORT', 'NODE_ENV'];

/** The portal: its settings module (apps/portal/src/config.ts, read once as the server loads it) evaluated on `env`, and its server's variables. */
function portal(env: Env): LoadResult {
  const { read, error } = typeScript(evaluatePortalConfig)(env);
  return { read: [...read, ...NEXT_SERVER_VARIABLES], error };
}

/**
 * The portal's settings module as Next.js runs it on the server, with `env` as process.env. Next.js resolves
 * its `server-only` marker to nothing on the server, which is all this module imports.
 */
function evaluatePortalConfig(env: Env): unknown {
  const { outputText } = ts.transpileModule(readFileSync(PORTAL_CONFIG, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS } });
  const requireFromConfig = createRequire(PORTAL_CONFIG);
  const module = { exports: {} };
  const run = compileFunction(outputText, ['module', 'exports', 'require', 'process'], { filename: PORTAL_CONFIG });
  run(module, module.exports, (id: string): unknown => (id === 'server-only' ? {} : requireFromConfig(id)), { env });
  return module.exports;
}

/** The AI subgraph's loader (supergraph_ai.config), in its own Python with nothing but `env` as its environment. */
function python(env: Env): LoadResult {
  const script = `
import json, os
from supergraph_ai.config import ConfigError, Settings

read = set()

class Recording(dict):
    def get(self, key, default=None):
        read.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        read.add(key)
        return super().__getitem__(key)

try:
    Settings.from_env(Recording(os.environ))
    print(json.dumps({"read": sorted(read)}))
except ConfigError as error:
    print(json.dumps({"read": sorted(read), "error": str(error)}))
`;
  const run = spawnSync(AI_PYTHON, ['-c', script], { cwd: AI_DIR, env: env as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 20_000 });
  if (run.status !== 0) throw new Error(`${AI_PYTHON} failed (${run.error?.message ?? run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as LoadResult;
}

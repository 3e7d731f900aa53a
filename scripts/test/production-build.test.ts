import { execFile, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bearer, createTestDatabase, freePort, graphql, startProcess, stopProcess, type TestDatabase } from '@supergraph/testing';
import { DIST, ROOT, undeclaredImports } from '../dist';

const run = promisify(execFile);

/**
 * Production runs compiled code: `npm run build` writes dist/, and the services start from it with
 * plain `node` — no tsx, no TypeScript loader, and a bare environment — against a real PostgreSQL,
 * reading their migrations, supergraph and dashboard from dist/.
 */
describe('the production build', () => {
  const secrets = { ROUTER_SIGNING_SECRET: 'production-build-signing-secret', JWT_SECRET: 'production-build-jwt-secret' };
  const workDir = mkdtempSync(join(tmpdir(), 'production-build-'));
  const children: ChildProcess[] = [];
  let database: TestDatabase | undefined;
  let routerUrl: string;

  /** `node dist/<entry>` with nothing from this process: not its environment, loaders or working directory. */
  const startCompiled = async (name: string, entry: string, env: Record<string, string>, answers: () => Promise<boolean>) => {
    const child = await startProcess({
      name,
      command: process.execPath,
      args: [join(DIST, entry)],
      spawn: {
        cwd: workDir,
        env: { PATH: process.env.PATH, NODE_ENV: 'production', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: join(workDir, 'data'), ...secrets, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
      answers,
    });
    children.push(child);
  };
  const healthy = (url: string) => () => fetch(url).then((response) => response.ok);

  beforeAll(async () => {
    // Incremental: quick when dist/ is fresh, about a minute of tsc from nothing.
    await run('npm', ['run', 'build'], { cwd: ROOT });
    database = await createTestDatabase('production_build');
    const usersPort = await freePort();
    await startCompiled('compiled users subgraph', 'subgraphs/users/src/main.js', { USERS_PORT: String(usersPort), USERS_DATABASE_URL: database.url }, () =>
      healthy(`http://127.0.0.1:${usersPort}/health`)(),
    );
    const routerPort = await freePort();
    routerUrl = `http://127.0.0.1:${routerPort}`;
    await startCompiled(
      'compiled router',
      'router/src/main.js',
      { ROUTER_PORT: String(routerPort), SUBGRAPH_USERS_URL: `http://127.0.0.1:${usersPort}/graphql` },
      healthy(`${routerUrl}/health`),
    );
  }, 300_000);

  afterAll(async () => {
    await Promise.all(children.map((child) => stopProcess(child)));
    await database?.drop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('serves a federated query and mutation through the compiled router and users subgraph', async () => {
    const registered = await graphql<{ register: { token: string } }>(
      `${routerUrl}/graphql`,
      'mutation { register(email: "compiled@example.com", password: "correct horse battery") { token } }',
    );
    expect(registered.errors).toBeUndefined();
    const me = await graphql<{ me: { email: string; tier: string } }>(
      `${routerUrl}/graphql`,
      '{ me { email tier } }',
      undefined,
      bearer(registered.data!.register.token),
    );
    expect(me).toEqual({ status: 200, data: { me: { email: 'compiled@example.com', tier: 'FREE' } } });
  });

  it('serves the dashboard page, a file the router reads beside its compiled code', async () => {
    const response = await fetch(`${routerUrl}/dashboard`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<html');
  });

  it('loads no package that a production install leaves out', () => {
    expect(undeclaredImports()).toEqual([]);
  });

  it('the import check catches a devDependency (it is not vacuous)', () => {
    const tree = join(workDir, 'planted');
    mkdirSync(join(tree, 'packages/config/src'), { recursive: true });
    copyFileSync(join(ROOT, 'package.json'), join(tree, 'package.json'));
    writeFileSync(
      join(tree, 'packages/config/src/index.js'),
      "require('tsx/cjs/api');\nimport('jest');\nrequire('node:fs');\nrequire('pg');\nrequire('./sibling.js');\n",
    );
    expect(undeclaredImports(tree)).toEqual([
      { file: 'packages/config/src/index.js', specifier: 'tsx/cjs/api' },
      { file: 'packages/config/src/index.js', specifier: 'jest' },
    ]);
  });
});

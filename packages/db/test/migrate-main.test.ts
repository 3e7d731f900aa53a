/**
 * The migration step a deployment runs before the subgraphs roll (the chart's migration Job):
 * the real entry point in its own process, against real PostgreSQL databases.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createScratchDatabase, openDatabase, type ScratchDatabase } from '../src';
import { ADMIN_URL } from './support';

const REPO_ROOT = join(__dirname, '..', '..', '..');
const ENTRY = join(REPO_ROOT, 'packages/db/src/migrate-main.ts');

const migrationNames = (subgraph: string) =>
  readdirSync(join(REPO_ROOT, 'prisma', subgraph, 'migrations'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

/** Runs the entry point with exactly `env` (plus PATH) and returns its exit status and JSON log lines. */
function migrate(env: Record<string, string>): { status: number | null; lines: { level: string; message: string; subgraph?: string; applied?: string[] }[] } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', ENTRY], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { level: string; message: string; subgraph?: string; applied?: string[] });
  return { status: run.status, lines };
}

async function appliedMigrations(url: string): Promise<string[]> {
  const database = await openDatabase({ name: 'migrate-main-test', url });
  try {
    const rows = await database.sql.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name',
    );
    return rows.map((row) => row.migration_name);
  } finally {
    await database.close();
  }
}

let users: ScratchDatabase;
let projects: ScratchDatabase;

beforeAll(async () => {
  users = await createScratchDatabase(ADMIN_URL, 'migrate_main_users');
  projects = await createScratchDatabase(ADMIN_URL, 'migrate_main_projects');
});

afterAll(async () => {
  await users?.drop();
  await projects?.drop();
});

test("migrates each database named by a subgraph's variable to that subgraph's migrations, and a second run applies nothing", async () => {
  const env = { USERS_DATABASE_URL: users.url, PROJECTS_DATABASE_URL: projects.url };
  const first = migrate(env);
  expect(first.status).toBe(0);
  expect(await appliedMigrations(users.url)).toEqual(migrationNames('users'));
  expect(await appliedMigrations(projects.url)).toEqual(migrationNames('projects'));
  expect(first.lines.filter((line) => line.message === 'migrations applied').map((line) => [line.subgraph, line.applied])).toEqual([
    ['users', migrationNames('users')],
    ['projects', migrationNames('projects')],
  ]);

  const second = migrate(env);
  expect(second.status).toBe(0);
  expect(second.lines.filter((line) => line.message === 'database up to date').map((line) => line.subgraph)).toEqual(['users', 'projects']);
});

test('refuses to run with no database to migrate, naming the variables', () => {
  const run = migrate({});
  expect(run.status).toBe(1);
  expect(run.lines.at(-1)).toMatchObject({ level: 'error', message: 'migration failed' });
  expect(JSON.stringify(run.lines.at(-1))).toContain('USERS_DATABASE_URL');
});

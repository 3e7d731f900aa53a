import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlQueryable } from '../src';

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres:postgres@localhost:5432/postgres';

const REPO_ROOT = join(__dirname, '..', '..', '..');
export const USERS_SCHEMA = join(REPO_ROOT, 'prisma', 'users', 'schema.prisma');
export const USERS_MIGRATIONS = join(REPO_ROOT, 'prisma', 'users', 'migrations');

/** A temporary copy of the users migrations, plus `extra` migrations (folder name → SQL). */
export async function migrationsCopy(extra: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'db-migrations-'));
  await cp(USERS_MIGRATIONS, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

/** Empties the scratch database between tests of one file. */
export async function resetSchema(sql: SqlQueryable): Promise<void> {
  await sql.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
}

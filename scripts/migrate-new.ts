// Writes the next migration for a subgraph, offline: `tsx scripts/migrate-new.ts <subgraph> <name>`.
// The SQL is Prisma's own (its schema engine, as Wasm): what takes a database with every existing
// migration applied to the state prisma/<subgraph>/schema.prisma describes. Needs a Postgres that
// allows CREATE DATABASE (MIGRATE_ADMIN_URL, default the local postgres) for a scratch database.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { diffMigrationsAgainstSchema, lockfileContent } from '@supergraph/db';

const ROOT = resolve(__dirname, '..');
const ADMIN_URL = process.env.MIGRATE_ADMIN_URL ?? process.env.TEST_DATABASE_URL ?? 'postgresql://postgres:postgres@localhost:5432/postgres';

/** Prisma's folder name: UTC timestamp, then the name with anything but [a-z0-9_] made `_`. */
function migrationFolderName(name: string, now = new Date()): string {
  const timestamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!slug) throw new Error(`Migration name "${name}" has no letters or digits`);
  return `${timestamp}_${slug}`;
}

async function main(): Promise<void> {
  const [subgraph, name] = process.argv.slice(2);
  if (!subgraph || !name) throw new Error('Usage: tsx scripts/migrate-new.ts <subgraph> <migration-name>');
  const schemaPath = join(ROOT, 'prisma', subgraph, 'schema.prisma');
  const migrationsDir = join(ROOT, 'prisma', subgraph, 'migrations');
  if (!existsSync(schemaPath)) throw new Error(`No schema at ${relative(ROOT, schemaPath)}`);

  await mkdir(migrationsDir, { recursive: true });
  const lockfile = join(migrationsDir, 'migration_lock.toml');
  if (!existsSync(lockfile)) await writeFile(lockfile, lockfileContent());

  const sql = await diffMigrationsAgainstSchema({ adminUrl: ADMIN_URL, migrationsDir, schemaPath });
  if (sql === '') {
    console.log(`prisma/${subgraph}/schema.prisma already matches its migrations: nothing to write.`);
    return;
  }
  const folder = join(migrationsDir, migrationFolderName(name));
  await mkdir(folder);
  await writeFile(join(folder, 'migration.sql'), sql);
  console.log(`Wrote ${relative(ROOT, join(folder, 'migration.sql'))}:\n\n${sql}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LOCKFILE_NAME, readMigrationsDirectory } from '../migrations/migrations-directory';
import { runSchemaEngine } from './run-in-worker';

export interface PrismaMigrationStatus {
  /** Migrations in the directory that the database has not applied. */
  unapplied: string[];
  failed: string[];
  /** Applied migrations whose migration.sql changed since. */
  edited: string[];
  hasMigrationsTable: boolean;
}

/**
 * What Prisma's own schema engine (`prisma migrate status`) says about the database's migration
 * history: an independent check that our `_prisma_migrations` rows are ones Prisma understands.
 */
export async function prismaMigrationStatus(url: string, schemaPath: string, migrationsDir: string): Promise<PrismaMigrationStatus> {
  const baseDir = resolve(migrationsDir);
  const migrations = await readMigrationsDirectory(baseDir);
  const lockfilePath = join(baseDir, LOCKFILE_NAME);
  const migrationsList = {
    baseDir,
    lockfile: { path: LOCKFILE_NAME, content: existsSync(lockfilePath) ? await readFile(lockfilePath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: migrations.map((migration) => ({
      path: migration.name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok' as const, value: migration.script } },
    })),
  };
  const schema = { path: resolve(schemaPath), content: await readFile(schemaPath, 'utf8') };
  const output = await runSchemaEngine({
    url,
    schemaFiles: [schema],
    command: 'diagnoseMigrationHistory',
    input: { migrationsList, optInToShadowDatabase: false, filters: { externalTables: [], externalEnums: [] } },
  });
  const history = output.history;
  return {
    unapplied: history?.diagnostic === 'databaseIsBehind' || history?.diagnostic === 'historiesDiverge' ? history.unappliedMigrationNames : [],
    failed: output.failedMigrationNames,
    edited: output.editedMigrationNames,
    hasMigrationsTable: output.hasMigrationsTable,
  };
}

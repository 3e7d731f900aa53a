import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { applyMigrations } from '../migrations/apply-migrations';
import { openDatabase } from '../open-database';
import { createScratchDatabase } from '../scratch-database';
import { runSchemaEngine } from './run-in-worker';
import type { SchemaFile } from './wasm-engine';

const NO_FILTERS = { externalTables: [], externalEnums: [] };

async function readSchema(schemaPath: string): Promise<SchemaFile> {
  const path = resolve(schemaPath);
  return { path, content: await readFile(path, 'utf8') };
}

/**
 * The SQL that would bring the live database at `url` to the state `schemaPath` describes, as
 * Prisma's schema engine renders it (`prisma migrate diff --from-config-datasource --to-schema`).
 * Empty when the database already matches. `_prisma_migrations` is ignored by the engine.
 */
export async function diffDatabaseAgainstSchema(url: string, schemaPath: string): Promise<string> {
  const schema = await readSchema(schemaPath);
  const result = await runSchemaEngine({
    url,
    schemaFiles: [schema],
    command: 'diff',
    input: {
      // "schemaDatasource": the database behind the adapter (the Wasm engine refuses URLs).
      from: { tag: 'schemaDatasource', files: [schema], configDir: process.cwd() },
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: true, // 0: no difference, 2: a non-empty script
      filters: NO_FILTERS,
    },
  });
  return result.exitCode === 0 ? '' : (result.stdout ?? '');
}

export interface DiffMigrationsOptions {
  /** A Postgres URL allowed to CREATE and DROP DATABASE; a scratch database is made there. */
  adminUrl: string;
  migrationsDir: string;
  schemaPath: string;
}

/**
 * The SQL of the next migration: applies every migration in `migrationsDir` to a scratch database
 * (with our own applyMigrations, the same path production takes), then diffs it against the schema.
 * This is what `prisma migrate dev --create-only` computes with its shadow database.
 */
export async function diffMigrationsAgainstSchema(options: DiffMigrationsOptions): Promise<string> {
  const scratch = await createScratchDatabase(options.adminUrl, 'migrate_diff');
  try {
    const database = await openDatabase({ name: 'migrate-diff', url: scratch.url });
    try {
      await applyMigrations(database.sql, options.migrationsDir);
    } finally {
      await database.close();
    }
    return await diffDatabaseAgainstSchema(scratch.url, options.schemaPath);
  } finally {
    await scratch.drop();
  }
}

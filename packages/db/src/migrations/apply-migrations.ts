import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../sql';
import { scriptMatchesChecksum } from './checksum';
import { readMigrationsDirectory, type MigrationFile } from './migrations-directory';
import { CREATE_MIGRATIONS_TABLE, listMigrationRecords, recordFailed, recordFinished, recordStarted, type MigrationRecord } from './migrations-table';

/** The key `prisma migrate deploy` locks, so our runs and the CLI's exclude each other too. */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;

export interface ApplyMigrationsOptions {
  log?: (message: string) => void;
}

export interface ApplyMigrationsResult {
  /** Names of the migrations this call applied, in order (empty when the database was up to date). */
  applied: string[];
}

/**
 * Applies `migrationsDir/<name>/migration.sql` in name order, as `prisma migrate deploy` does:
 * under Prisma's advisory lock, recording each in `_prisma_migrations` with Prisma's checksum,
 * skipping those already applied, and refusing to go on past a failed one. Stricter than Prisma
 * in one way: an applied migration whose file has since changed is an error, not ignored.
 */
export async function applyMigrations(sql: SqlExecutor, migrationsDir: string, options: ApplyMigrationsOptions = {}): Promise<ApplyMigrationsResult> {
  const log = options.log ?? (() => undefined);
  const migrations = await readMigrationsDirectory(migrationsDir);

  // A session lock is held by one connection: every statement below must run on that connection.
  return sql.session(async (session) => {
    await session.query(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})`);
    try {
      // Created under the lock: two processes racing on CREATE TABLE IF NOT EXISTS can both fail.
      await session.exec(CREATE_MIGRATIONS_TABLE);
      const records = (await listMigrationRecords(session)).filter((record) => record.rolled_back_at === null);
      assertNoFailedMigrations(records);
      assertUnchanged(migrations, records);
      warnAboutUnknown(migrations, records, log);

      const appliedNames = new Set(records.map((record) => record.migration_name));
      const pending = migrations.filter((migration) => !appliedNames.has(migration.name));
      for (const migration of pending) {
        log(`Applying migration ${migration.name}`);
        await applyOne(session, migration);
      }
      log(pending.length === 0 ? 'Database schema is up to date' : `Applied ${pending.length} migration(s)`);
      return { applied: pending.map((migration) => migration.name) };
    } finally {
      await session.query(`SELECT pg_advisory_unlock(${PRISMA_ADVISORY_LOCK_KEY})`);
    }
  });
}

async function applyOne(sql: SqlExecutor, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  await recordStarted(sql, id, migration.name, migration.checksum);
  try {
    // The script and its "finished" mark commit together, so a success is never left looking failed.
    await sql.transaction(async (tx) => {
      await tx.exec(migration.script);
      await recordFinished(tx, id);
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await recordFailed(sql, id, message);
    throw new Error(
      `Migration ${migration.name} failed and was rolled back: ${message}\n` +
        `It is recorded as failed in _prisma_migrations, which blocks further migrations until it is ` +
        `marked rolled back (\`prisma migrate resolve --rolled-back ${migration.name}\`, or ` +
        `UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = '${id}').`,
      { cause: error },
    );
  }
}

function assertNoFailedMigrations(records: MigrationRecord[]): void {
  const failed = records.filter((record) => record.finished_at === null);
  if (failed.length === 0) return;
  const details = failed.map(
    (record) => `  ${record.migration_name} (started ${record.started_at.toISOString()})${record.logs ? `: ${record.logs.trim()}` : ''}`,
  );
  throw new Error(
    `Found failed migrations in the database; no new migrations will be applied until they are resolved ` +
      `(prisma migrate resolve, see https://pris.ly/d/migrate-resolve):\n${details.join('\n')}`,
  );
}

function assertUnchanged(migrations: MigrationFile[], records: MigrationRecord[]): void {
  const edited = records.filter((record) => {
    const file = migrations.find((migration) => migration.name === record.migration_name);
    return file !== undefined && !scriptMatchesChecksum(file.script, record.checksum);
  });
  if (edited.length === 0) return;
  throw new Error(
    `Migration(s) modified after they were applied: ${edited.map((record) => record.migration_name).join(', ')}. ` +
      `The checksum recorded in _prisma_migrations no longer matches migration.sql. Restore the applied ` +
      `file and put the change in a new migration.`,
  );
}

function warnAboutUnknown(migrations: MigrationFile[], records: MigrationRecord[], log: (message: string) => void): void {
  const known = new Set(migrations.map((migration) => migration.name));
  for (const record of records) {
    if (!known.has(record.migration_name)) {
      log(`Warning: migration ${record.migration_name} is applied in the database but missing from the migrations directory`);
    }
  }
}

import type { SqlQueryable } from '../sql';

/** Prisma's own definition (schema engine, Postgres connector), so the Prisma CLI reads our rows. */
export const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationRecord {
  id: string;
  migration_name: string;
  checksum: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

export function listMigrationRecords(sql: SqlQueryable): Promise<MigrationRecord[]> {
  return sql.query<MigrationRecord>(
    `SELECT id, migration_name, checksum, started_at, finished_at, rolled_back_at, logs
       FROM _prisma_migrations ORDER BY started_at, migration_name`,
  );
}

/** Like Prisma, a row is written before the script runs, so a crash mid-way leaves a "failed" row. */
export async function recordStarted(sql: SqlQueryable, id: string, name: string, checksum: string): Promise<void> {
  await sql.query('INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)', [
    id,
    checksum,
    name,
  ]);
}

export async function recordFinished(sql: SqlQueryable, id: string): Promise<void> {
  await sql.query('UPDATE _prisma_migrations SET finished_at = now(), applied_steps_count = applied_steps_count + 1 WHERE id = $1', [id]);
}

export async function recordFailed(sql: SqlQueryable, id: string, logs: string): Promise<void> {
  await sql.query('UPDATE _prisma_migrations SET logs = $2 WHERE id = $1', [id, logs]);
}

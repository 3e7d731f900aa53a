import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { openPglite } from './pglite';
import { openPostgres } from './postgres';
import type { SqlExecutor } from './sql';

export interface OpenDatabaseOptions {
  /** Who is connecting (e.g. the subgraph): shown as application_name in Postgres. */
  name: string;
  /** postgres://… to use a Postgres server; when absent, an embedded PGlite in `dataDir` is used. */
  url?: string | undefined;
  /** Where the embedded PGlite keeps its files (created when missing). Required without `url`. */
  dataDir?: string | undefined;
}

export interface Database {
  kind: 'postgres' | 'pglite';
  /** Pass to `new PrismaClient({ adapter })`. */
  adapter: SqlDriverAdapterFactory;
  /** Raw SQL for migrations and tests. */
  sql: SqlExecutor;
  /** Connections of the pool now (Postgres); undefined for PGlite, which has one in-process connection. */
  poolStats(): { total: number; idle: number; waiting: number } | undefined;
  /** Ends the pool or closes PGlite. Disconnect PrismaClients using `adapter` first. */
  close(): Promise<void>;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.url) {
    const { kind, adapter, sql, poolStats, close } = openPostgres(options.name, options.url);
    return { kind, adapter, sql, poolStats, close };
  }
  if (!options.dataDir) {
    throw new Error(`openDatabase(${options.name}): give either a url or a dataDir for the embedded database`);
  }
  const { kind, adapter, sql, close } = await openPglite(options.dataDir);
  return { kind, adapter, sql, poolStats: () => undefined, close };
}

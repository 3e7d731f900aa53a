import { join } from 'node:path';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { applyMigrations } from './migrations/apply-migrations';
import { openDatabase } from './open-database';
import type { SqlExecutor } from './sql';

/** What every generated Prisma client offers that this module needs (clients are generated per subgraph). */
export interface PrismaClientLike {
  $on(event: 'query', listener: (event: { query: string; duration: number }) => void): void;
  $disconnect(): Promise<void>;
}

export interface SubgraphDatabase<TClient> {
  prisma: TClient;
  /** Raw SQL on the same database: migrations, the outbox relay, tests. */
  sql: SqlExecutor;
  /** SQL statements sent since start: how the N+1 tests and benchmarks see batching work. */
  sqlStatements(): number;
  /** Called after each statement Prisma sends, with its SQL and duration (metrics). */
  onQuery(listener: (query: { sql: string; durationMs: number }) => void): void;
  /** The connection pool now (Postgres only). */
  poolStats(): { total: number; idle: number; waiting: number } | undefined;
  close(): Promise<void>;
}

/**
 * The one way a subgraph opens the database it owns: Postgres from a URL or else an embedded
 * PGlite under `dataDir/<subgraph>`, migrated to `migrationsDir` before anything else runs, with
 * a Prisma client (created by the subgraph's own generated class) that counts its statements.
 */
export async function openSubgraphDatabase<TClient extends PrismaClientLike>(options: {
  subgraph: string;
  url: string | undefined;
  dataDir: string;
  migrationsDir: string;
  logger: { info(message: string): void };
  /** Must enable query events: `new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] })`. */
  createClient(adapter: SqlDriverAdapterFactory): TClient;
}): Promise<SubgraphDatabase<TClient>> {
  const database = await openDatabase({ name: options.subgraph, url: options.url, dataDir: join(options.dataDir, options.subgraph) });
  try {
    await applyMigrations(database.sql, options.migrationsDir, { log: (message) => options.logger.info(message) });
  } catch (error) {
    await database.close();
    throw error;
  }
  const prisma = options.createClient(database.adapter);
  let statements = 0;
  const listeners: ((query: { sql: string; durationMs: number }) => void)[] = [];
  prisma.$on('query', (event) => {
    statements++;
    for (const listener of listeners) listener({ sql: event.query, durationMs: event.duration });
  });
  return {
    prisma,
    sql: database.sql,
    sqlStatements: () => statements,
    onQuery: (listener) => void listeners.push(listener),
    poolStats: () => database.poolStats(),
    close: async () => {
      await prisma.$disconnect();
      await database.close();
    },
  };
}

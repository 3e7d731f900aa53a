import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlExecutor, SqlQueryable } from './sql';

type PgQueryTarget = Pick<pg.Pool | pg.PoolClient, 'query'>;

function queryable(target: PgQueryTarget): SqlQueryable {
  return {
    async query<T>(text: string, params: readonly unknown[] = []) {
      const result = await target.query(text, [...params]);
      return result.rows as T[];
    },
    async exec(script: string) {
      // No parameters, so pg uses the simple protocol, which accepts several statements at once.
      await target.query(script);
    },
  };
}

/** An executor bound to one checked-out connection (the caller releases it). */
function clientExecutor(client: pg.PoolClient): SqlExecutor {
  const self: SqlExecutor = {
    ...queryable(client),
    async transaction(fn) {
      await client.query('BEGIN');
      try {
        const result = await fn(queryable(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
    session: (fn) => fn(self),
  };
  return self;
}

async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

export function poolExecutor(pool: pg.Pool): SqlExecutor {
  return {
    ...queryable(pool),
    transaction: (fn) => withClient(pool, (client) => clientExecutor(client).transaction(fn)),
    session: (fn) => withClient(pool, (client) => fn(clientExecutor(client))),
  };
}

export function openPostgres(name: string, url: string) {
  // application_name makes each subgraph's connections recognisable in pg_stat_activity.
  const pool = new pg.Pool({ connectionString: url, application_name: name });
  // A connection the server cut (a restart, a failover) reports it as an 'error' event: the pool's
  // for an idle one, the connection's own for one checked out between two statements. Unheard,
  // either would crash the process. The statement that needed it fails (DATABASE_UNAVAILABLE), the
  // pool drops the connection, and the next statement opens a new one.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return {
    kind: 'postgres' as const,
    // Prisma shares our pool; we end it ourselves in close(), so the adapter must not.
    adapter: new PrismaPg(pool),
    sql: poolExecutor(pool),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}

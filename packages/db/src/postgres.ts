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
  return {
    kind: 'postgres' as const,
    // Prisma shares our pool; we end it ourselves in close(), so the adapter must not.
    adapter: new PrismaPg(pool),
    sql: poolExecutor(pool),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}

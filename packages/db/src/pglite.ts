import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { SqlExecutor, SqlQueryable } from './sql';

function queryable(target: PGlite | Transaction): SqlQueryable {
  return {
    async query<T>(text: string, params: readonly unknown[] = []) {
      const result = await target.query<T>(text, [...params]);
      return result.rows;
    },
    async exec(script: string) {
      await target.exec(script);
    },
  };
}

export function pgliteExecutor(db: PGlite): SqlExecutor {
  const self: SqlExecutor = {
    ...queryable(db),
    transaction: (fn) => db.transaction((tx) => fn(queryable(tx))),
    // PGlite is a single connection: every statement already shares one session.
    session: (fn) => fn(self),
  };
  return self;
}

/** Embedded Postgres (PGlite) persisted in `dataDir`: one process may open a data directory at a time. */
export async function openPglite(dataDir: string) {
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir });
  return {
    kind: 'pglite' as const,
    adapter: new PrismaPGlite(db),
    sql: pgliteExecutor(db),
    close: async () => {
      if (!db.closed) await db.close();
    },
  };
}

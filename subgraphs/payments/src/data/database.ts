import { join } from 'node:path';
import { REPO_ROOT } from '@supergraph/config';
import { openSubgraphDatabase, type SubgraphDatabase } from '@supergraph/db';
import type { Logger } from '@supergraph/server';
import { PrismaClient } from '../generated/prisma/client';

export const PAYMENTS_MIGRATIONS_DIR = join(REPO_ROOT, 'prisma/payments/migrations');

export type PaymentsDatabase = SubgraphDatabase<PrismaClient>;

/** Opens the payments database (Postgres from a URL, else embedded PGlite) and brings its schema up to date. */
export function openPaymentsDatabase(options: { url: string | undefined; dataDir: string; logger: Logger }): Promise<PaymentsDatabase> {
  return openSubgraphDatabase({
    subgraph: 'payments',
    migrationsDir: PAYMENTS_MIGRATIONS_DIR,
    ...options,
    createClient: (adapter) => new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] }),
  });
}

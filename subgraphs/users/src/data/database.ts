import { join } from 'node:path';
import { REPO_ROOT } from '@supergraph/config';
import { openSubgraphDatabase, type SubgraphDatabase } from '@supergraph/db';
import type { Logger } from '@supergraph/server';
import { PrismaClient } from '../generated/prisma/client';

export const USERS_MIGRATIONS_DIR = join(REPO_ROOT, 'prisma/users/migrations');

export type UsersDatabase = SubgraphDatabase<PrismaClient>;

/** Opens the users database (Postgres from a URL, else embedded PGlite) and brings its schema up to date. */
export function openUsersDatabase(options: { url: string | undefined; dataDir: string; logger: Logger }): Promise<UsersDatabase> {
  return openSubgraphDatabase({
    subgraph: 'users',
    migrationsDir: USERS_MIGRATIONS_DIR,
    ...options,
    createClient: (adapter) => new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] }),
  });
}

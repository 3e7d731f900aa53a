import { join } from 'node:path';
import { applyMigrations, openDatabase } from '@supergraph/db';
import type { Logger } from '@supergraph/server';
import { REPO_ROOT } from '@supergraph/config';
import { PrismaClient } from '../generated/prisma/client';

export const USERS_MIGRATIONS_DIR = join(REPO_ROOT, 'prisma/users/migrations');

export interface UsersDatabase {
  prisma: PrismaClient;
  /** SQL statements sent since start: how the N+1 tests and benchmarks see batching work. */
  sqlStatements(): number;
  close(): Promise<void>;
}

/** Opens the users database (Postgres from a URL, else embedded PGlite) and brings its schema up to date. */
export async function openUsersDatabase(options: { url: string | undefined; dataDir: string; logger: Logger }): Promise<UsersDatabase> {
  const database = await openDatabase({ name: 'users', url: options.url, dataDir: join(options.dataDir, 'users') });
  try {
    await applyMigrations(database.sql, USERS_MIGRATIONS_DIR, { log: (message) => options.logger.info(message) });
  } catch (error) {
    await database.close();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: database.adapter, log: [{ emit: 'event', level: 'query' }] });
  let statements = 0;
  prisma.$on('query', () => statements++);
  return {
    prisma,
    sqlStatements: () => statements,
    close: async () => {
      await prisma.$disconnect();
      await database.close();
    },
  };
}

import { join } from 'node:path';
import { REPO_ROOT } from '@supergraph/config';
import { openSubgraphDatabase, type SubgraphDatabase } from '@supergraph/db';
import type { Logger } from '@supergraph/server';
import { PrismaClient } from '../generated/prisma/client';

export const BLOCKCHAIN_MIGRATIONS_DIR = join(REPO_ROOT, 'prisma/blockchain/migrations');

export type BlockchainDatabase = SubgraphDatabase<PrismaClient>;

/** Opens the blockchain database (Postgres from a URL, else embedded PGlite) and brings its schema up to date. */
export function openBlockchainDatabase(options: { url: string | undefined; dataDir: string; logger: Logger }): Promise<BlockchainDatabase> {
  return openSubgraphDatabase({
    subgraph: 'blockchain',
    migrationsDir: BLOCKCHAIN_MIGRATIONS_DIR,
    ...options,
    createClient: (adapter) => new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] }),
  });
}

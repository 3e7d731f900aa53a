import { join } from 'node:path';
import { REPO_ROOT } from '@supergraph/config';
import { openSubgraphDatabase, type SubgraphDatabase } from '@supergraph/db';
import type { Logger } from '@supergraph/server';
import { PrismaClient } from '../generated/prisma/client';

export const PROJECTS_MIGRATIONS_DIR = join(REPO_ROOT, 'prisma/projects/migrations');

export type ProjectsDatabase = SubgraphDatabase<PrismaClient>;

/** Opens the projects database (Postgres from a URL, else embedded PGlite) and brings its schema up to date. */
export function openProjectsDatabase(options: { url: string | undefined; dataDir: string; logger: Logger }): Promise<ProjectsDatabase> {
  return openSubgraphDatabase({
    subgraph: 'projects',
    migrationsDir: PROJECTS_MIGRATIONS_DIR,
    ...options,
    createClient: (adapter) => new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] }),
  });
}

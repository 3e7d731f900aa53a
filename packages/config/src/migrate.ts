import { text, type Env } from './parsers';

/** The subgraphs that own a PostgreSQL database with checked-in migrations (prisma/<subgraph>/migrations). */
export const MIGRATED_SUBGRAPHS = ['users', 'projects', 'payments', 'blockchain'] as const;

export type MigratedSubgraph = (typeof MIGRATED_SUBGRAPHS)[number];

/** What the migration step reads (packages/db/src/migrate-main.ts; the Helm chart's migration Job runs it). */
export interface MigrateConfig {
  /**
   * <SUBGRAPH>_DATABASE_URL (USERS_DATABASE_URL, PROJECTS_DATABASE_URL, PAYMENTS_DATABASE_URL,
   * BLOCKCHAIN_DATABASE_URL), the same variables each subgraph reads: the databases to migrate.
   * Default: none; at least one must be set (an embedded database migrates itself when its subgraph starts).
   */
  databaseUrls: Partial<Record<MigratedSubgraph, string>>;
}

export function loadMigrateConfig(env: Env = process.env): MigrateConfig {
  const databaseUrls: MigrateConfig['databaseUrls'] = {};
  for (const subgraph of MIGRATED_SUBGRAPHS) {
    const url = text(env, databaseUrlVariable(subgraph));
    if (url) databaseUrls[subgraph] = url;
  }
  if (Object.keys(databaseUrls).length === 0) throw new Error(`Set at least one of ${MIGRATED_SUBGRAPHS.map(databaseUrlVariable).join(', ')} to migrate`);
  return { databaseUrls };
}

function databaseUrlVariable(subgraph: MigratedSubgraph): string {
  return `${subgraph.toUpperCase()}_DATABASE_URL`;
}

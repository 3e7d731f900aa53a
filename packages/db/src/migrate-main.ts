/**
 * `node dist/packages/db/src/migrate-main.js`: brings every subgraph database named by a
 * <SUBGRAPH>_DATABASE_URL up to its checked-in migrations (prisma/<subgraph>/migrations), then exits.
 * A deployment runs it once before new subgraph pods start (deploy/chart: the migration Job), so a
 * failing migration stops the release instead of crash-looping every new pod. The subgraphs still
 * migrate at start, under the same advisory lock, which then finds nothing to do.
 */
import { join } from 'node:path';
import { loadMigrateConfig, REPO_ROOT } from '@supergraph/config';
import { applyMigrations } from './migrations/apply-migrations';
import { openDatabase } from './open-database';

/** One JSON line on stdout, like every other service's log. */
function log(level: 'info' | 'error', message: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(JSON.stringify({ level, service: 'migrate', message, ...fields }) + '\n');
}

async function main(): Promise<void> {
  const { databaseUrls } = loadMigrateConfig();
  for (const [subgraph, url] of Object.entries(databaseUrls)) {
    const database = await openDatabase({ name: `${subgraph}-migrate`, url });
    try {
      const { applied } = await applyMigrations(database.sql, join(REPO_ROOT, 'prisma', subgraph, 'migrations'), {
        log: (message) => log('info', message, { subgraph }),
      });
      log('info', applied.length ? 'migrations applied' : 'database up to date', { subgraph, applied });
    } finally {
      await database.close();
    }
  }
}

main().catch((error: unknown) => {
  log('error', 'migration failed', { error: error instanceof Error ? error.stack : String(error) });
  process.exit(1);
});

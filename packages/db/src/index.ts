export type { SqlExecutor, SqlQueryable } from './sql';
export { openDatabase, type Database, type OpenDatabaseOptions } from './open-database';
export { applyMigrations, PRISMA_ADVISORY_LOCK_KEY, type ApplyMigrationsOptions, type ApplyMigrationsResult } from './migrations/apply-migrations';
export { migrationChecksum } from './migrations/checksum';
export { lockfileContent, readMigrationsDirectory, type MigrationFile } from './migrations/migrations-directory';
export { diffDatabaseAgainstSchema, diffMigrationsAgainstSchema, type DiffMigrationsOptions } from './schema-engine/diff';
export { prismaMigrationStatus, type PrismaMigrationStatus } from './schema-engine/migration-status';
export { createScratchDatabase, type ScratchDatabase } from './scratch-database';
export { openSubgraphDatabase, type PrismaClientLike, type SubgraphDatabase } from './subgraph-database';

import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI (generate, and migrate/studio where a schema engine is available).
// The subgraph itself applies checked-in migrations at start: see packages/db.
export default defineConfig({
  schema: './schema.prisma',
  migrations: { path: './migrations' },
  datasource: { url: process.env.PROJECTS_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://localhost:5432/projects' },
});

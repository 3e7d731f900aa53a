import { join } from 'node:path';
import { REPO_ROOT } from '@supergraph/config';
import { diffMigrationsAgainstSchema } from '@supergraph/db';
import { ADMIN_DATABASE_URL } from '@supergraph/testing';
import { PROJECTS_MIGRATIONS_DIR } from '../src/data/database';

jest.setTimeout(60_000);

// Prisma's own schema engine (Wasm) applies the checked-in migrations to a scratch database and
// diffs it against schema.prisma: empty means the generated client and the database agree.
it('the projects migrations produce exactly the schema in prisma/projects/schema.prisma', async () => {
  const sql = await diffMigrationsAgainstSchema({
    adminUrl: ADMIN_DATABASE_URL,
    migrationsDir: PROJECTS_MIGRATIONS_DIR,
    schemaPath: join(REPO_ROOT, 'prisma/projects/schema.prisma'),
  });
  expect(sql).toBe('');
});

import { join } from 'node:path';
import { REPO_ROOT } from '@supergraph/config';
import { diffMigrationsAgainstSchema } from '@supergraph/db';
import { ADMIN_DATABASE_URL } from '@supergraph/testing';
import { BLOCKCHAIN_MIGRATIONS_DIR } from '../src/data/database';

// Prisma's own schema engine (Wasm) applies the checked-in migrations to a scratch database and
// diffs it against schema.prisma: empty means the generated client matches what start-up creates.
test('the blockchain migrations produce exactly the schema in prisma/blockchain/schema.prisma', async () => {
  const schemaPath = join(REPO_ROOT, 'prisma/blockchain/schema.prisma');
  expect(await diffMigrationsAgainstSchema({ adminUrl: ADMIN_DATABASE_URL, migrationsDir: BLOCKCHAIN_MIGRATIONS_DIR, schemaPath })).toBe('');
}, 60_000);

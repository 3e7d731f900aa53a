import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyMigrations,
  createScratchDatabase,
  diffDatabaseAgainstSchema,
  diffMigrationsAgainstSchema,
  openDatabase,
  type Database,
  type ScratchDatabase,
} from '../src';
import { ADMIN_URL, resetSchema, USERS_MIGRATIONS, USERS_SCHEMA } from './support';

// The diff comes from Prisma's own schema engine (Wasm): an empty diff means the database built by
// our migrations is exactly what the generated Prisma client was generated for.

let scratch: ScratchDatabase;
let db: Database;

beforeAll(async () => {
  scratch = await createScratchDatabase(ADMIN_URL, 'db_schema_test');
  db = await openDatabase({ name: 'schema-test', url: scratch.url });
});

afterAll(async () => {
  await db?.close();
  await scratch?.drop();
});

beforeEach(() => resetSchema(db.sql));

test('the users migrations produce exactly the schema in prisma/users/schema.prisma', async () => {
  await applyMigrations(db.sql, USERS_MIGRATIONS);
  expect(await diffDatabaseAgainstSchema(scratch.url, USERS_SCHEMA)).toBe('');
});

test('the diff notices what a migration failed to create (the check is not vacuous)', async () => {
  expect(await diffDatabaseAgainstSchema(scratch.url, USERS_SCHEMA)).toContain('CREATE TABLE "users"');

  await applyMigrations(db.sql, USERS_MIGRATIONS);
  await db.sql.exec('DROP INDEX "users_created_at_id_idx"; ALTER TABLE "api_keys" ALTER COLUMN "name" DROP NOT NULL;');
  const diff = await diffDatabaseAgainstSchema(scratch.url, USERS_SCHEMA);
  expect(diff).toContain('CREATE INDEX "users_created_at_id_idx" ON "users"("created_at", "id");');
  expect(diff).toContain('ALTER COLUMN "name" SET NOT NULL');
});

test('authoring: the next migration is empty for the current schema and holds the change for an edited one', async () => {
  expect(await diffMigrationsAgainstSchema({ adminUrl: ADMIN_URL, migrationsDir: USERS_MIGRATIONS, schemaPath: USERS_SCHEMA })).toBe('');

  const edited = join(await mkdtemp(join(tmpdir(), 'db-schema-')), 'schema.prisma');
  const schema = await readFile(USERS_SCHEMA, 'utf8');
  await writeFile(edited, schema.replace('tier         Tier     @default(FREE)', 'tier         Tier     @default(FREE)\n  nickname     String?'));
  const next = await diffMigrationsAgainstSchema({ adminUrl: ADMIN_URL, migrationsDir: USERS_MIGRATIONS, schemaPath: edited });
  expect(next).toBe('-- AlterTable\nALTER TABLE "users" ADD COLUMN     "nickname" TEXT;\n');
});

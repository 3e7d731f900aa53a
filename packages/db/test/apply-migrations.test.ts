import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyMigrations, createScratchDatabase, openDatabase, prismaMigrationStatus, type Database, type ScratchDatabase } from '../src';
import { ADMIN_URL, migrationsCopy, resetSchema, USERS_MIGRATIONS, USERS_SCHEMA } from './support';

const USERS_MIGRATION_NAMES = readdirSync(USERS_MIGRATIONS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

interface Row {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
  logs: string | null;
}

let scratch: ScratchDatabase;
let db: Database;

const rows = () => db.sql.query<Row>('SELECT * FROM _prisma_migrations ORDER BY migration_name');

beforeAll(async () => {
  scratch = await createScratchDatabase(ADMIN_URL, 'db_apply_test');
  db = await openDatabase({ name: 'apply-migrations-test', url: scratch.url });
});

afterAll(async () => {
  await db?.close();
  await scratch?.drop();
});

beforeEach(() => resetSchema(db.sql));

test('applies every migration once, and a second run applies nothing', async () => {
  expect(USERS_MIGRATION_NAMES.length).toBeGreaterThan(0);
  const messages: string[] = [];
  const first = await applyMigrations(db.sql, USERS_MIGRATIONS, { log: (message) => messages.push(message) });
  expect(first.applied).toEqual(USERS_MIGRATION_NAMES);
  expect(messages).toContain(`Applying migration ${USERS_MIGRATION_NAMES[0]}`);

  const second = await applyMigrations(db.sql, USERS_MIGRATIONS);
  expect(second.applied).toEqual([]);

  const recorded = await rows();
  expect(recorded.map((row) => row.migration_name)).toEqual(USERS_MIGRATION_NAMES);
  for (const row of recorded) {
    expect(row.finished_at).toBeInstanceOf(Date);
    expect(row.rolled_back_at).toBeNull();
    expect(row.applied_steps_count).toBe(1);
  }
  const tables = await db.sql.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
  );
  expect(tables.map((table) => table.table_name)).toEqual(['_prisma_migrations', 'api_keys', 'outbox_events', 'siwe_nonces', 'users', 'wallets']);
});

test("records Prisma's checksum: the sha256 of migration.sql", async () => {
  await applyMigrations(db.sql, USERS_MIGRATIONS);
  for (const row of await rows()) {
    const file = readFileSync(join(USERS_MIGRATIONS, row.migration_name, 'migration.sql'));
    expect(row.checksum).toBe(createHash('sha256').update(file).digest('hex'));
  }
});

test("creates _prisma_migrations with Prisma's column definitions", async () => {
  await applyMigrations(db.sql, USERS_MIGRATIONS);
  const columns = await db.sql.query<{ column_name: string; data_type: string; is_nullable: string; character_maximum_length: number | null }>(
    `SELECT column_name, data_type, is_nullable, character_maximum_length FROM information_schema.columns
      WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
  );
  expect(columns.map((c) => [c.column_name, c.data_type, c.is_nullable, c.character_maximum_length])).toEqual([
    ['id', 'character varying', 'NO', 36],
    ['checksum', 'character varying', 'NO', 64],
    ['finished_at', 'timestamp with time zone', 'YES', null],
    ['migration_name', 'character varying', 'NO', 255],
    ['logs', 'text', 'YES', null],
    ['rolled_back_at', 'timestamp with time zone', 'YES', null],
    ['started_at', 'timestamp with time zone', 'NO', null],
    ['applied_steps_count', 'integer', 'NO', null],
  ]);
});

test('two processes starting at once apply each migration exactly once (advisory lock)', async () => {
  // A slow extra migration widens the window in which the two runs would otherwise overlap.
  const dir = await migrationsCopy({ '29990101000000_slow': 'CREATE TABLE slow_marker (id INTEGER);\nSELECT pg_sleep(0.5);\n' });
  const other = await openDatabase({ name: 'apply-migrations-test-2', url: scratch.url });
  try {
    const [a, b] = await Promise.all([applyMigrations(db.sql, dir), applyMigrations(other.sql, dir)]);
    const all = [...USERS_MIGRATION_NAMES, '29990101000000_slow'];
    // The lock is held for the whole run, so one run does everything and the other finds nothing to do.
    expect([a.applied, b.applied].sort((x, y) => x.length - y.length)).toEqual([[], all]);
    expect((await rows()).map((row) => row.migration_name)).toEqual(all);
  } finally {
    await other.close();
  }
});

test('refuses to run when an applied migration was edited; line-ending changes are fine', async () => {
  const dir = await migrationsCopy();
  const name = USERS_MIGRATION_NAMES[0]!;
  const file = join(dir, name, 'migration.sql');
  await applyMigrations(db.sql, dir);

  const original = await readFile(file, 'utf8');
  await writeFile(file, original.replace(/\n/g, '\r\n')); // as a Windows checkout would have it
  await expect(applyMigrations(db.sql, dir)).resolves.toEqual({ applied: [] });

  await writeFile(file, `${original}\nCREATE INDEX "users_display_name_idx" ON "users"("display_name");\n`);
  await expect(applyMigrations(db.sql, dir)).rejects.toThrow(`modified after they were applied: ${name}`);
  // Prisma's own engine sees the same edit.
  expect((await prismaMigrationStatus(scratch.url, USERS_SCHEMA, dir)).edited).toEqual([name]);
});

test('a failing migration is rolled back, recorded as failed, and blocks later runs', async () => {
  const broken = '29990101000000_broken';
  const dir = await migrationsCopy({ [broken]: 'CREATE TABLE half_done (id INTEGER);\nSELECT * FROM no_such_table;\n' });

  await expect(applyMigrations(db.sql, dir)).rejects.toThrow(`Migration ${broken} failed and was rolled back`);
  const row = (await rows()).find((r) => r.migration_name === broken);
  expect(row).toMatchObject({ finished_at: null, rolled_back_at: null });
  expect(row?.logs).toContain('no_such_table');
  expect(await db.sql.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'")).toEqual([]);

  await expect(applyMigrations(db.sql, dir)).rejects.toThrow(/failed migrations in the database[\s\S]*29990101000000_broken/);
  expect((await prismaMigrationStatus(scratch.url, USERS_SCHEMA, dir)).failed).toEqual([broken]);
});

test("Prisma's own schema engine reads our migration history as up to date", async () => {
  const before = await prismaMigrationStatus(scratch.url, USERS_SCHEMA, USERS_MIGRATIONS);
  expect(before).toMatchObject({ hasMigrationsTable: false, unapplied: USERS_MIGRATION_NAMES });

  await applyMigrations(db.sql, USERS_MIGRATIONS);
  expect(await prismaMigrationStatus(scratch.url, USERS_SCHEMA, USERS_MIGRATIONS)).toEqual({
    hasMigrationsTable: true,
    unapplied: [],
    failed: [],
    edited: [],
  });
});

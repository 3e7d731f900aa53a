import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations, openDatabase } from '../src';
import { PrismaClient } from '../../../subgraphs/users/src/generated/prisma/client';
import { USERS_MIGRATIONS } from './support';

let dataDir: string;

beforeAll(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), 'db-pglite-')), 'users'); // openDatabase creates it
});

afterAll(() => rm(dataDir, { recursive: true, force: true }));

// Two PGlite (wasm PostgreSQL) starts and a full migration: on a loaded 2-core machine that took over the default 30 s.
jest.setTimeout(120_000);

test('embedded PGlite: migrations apply, the Prisma client works through the adapter, data survives a reopen', async () => {
  const first = await openDatabase({ name: 'users', dataDir });
  expect(first.kind).toBe('pglite');
  expect((await applyMigrations(first.sql, USERS_MIGRATIONS)).applied.length).toBeGreaterThan(0);

  const prisma = new PrismaClient({ adapter: first.adapter });
  const created = await prisma.user.create({
    data: { email: 'ada@example.com', displayName: 'Ada', roles: ['USER', 'ADMIN'], wallets: { create: { address: '0xabc' } } },
  });
  expect(created).toMatchObject({ tier: 'FREE', roles: ['USER', 'ADMIN'] });
  expect(await prisma.user.findUnique({ where: { email: 'ada@example.com' }, include: { wallets: true } })).toMatchObject({
    id: created.id,
    wallets: [{ address: '0xabc', userId: created.id }],
  });
  await prisma.$disconnect();
  await first.close();

  const reopened = await openDatabase({ name: 'users', dataDir });
  try {
    expect(await applyMigrations(reopened.sql, USERS_MIGRATIONS)).toEqual({ applied: [] });
    const again = new PrismaClient({ adapter: reopened.adapter });
    expect(await again.user.findMany()).toEqual([created]);
    await again.$disconnect();
  } finally {
    await reopened.close();
  }
});

import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Tests run against a real PostgreSQL (`npm test` provides one; see scripts/test-services.ts). Each
 * test file gets a database of its own, so files run in parallel without seeing each other.
 */
export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres:postgres@localhost:5432/postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A database of its own on the server at `adminUrl` (default: the tests' shared one; the fault suite passes a server it restarts). */
export async function createTestDatabase(label = 'test', adminUrl = ADMIN_DATABASE_URL): Promise<TestDatabase> {
  const name = `${label}_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`Tests need PostgreSQL at ${adminUrl} (set TEST_DATABASE_URL, or run the tests with npm test, which provides one): ${String(error)}`, {
      cause: error,
    });
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '@supergraph/server';
import { errorCodes, quietLogger } from '@supergraph/testing';
import { startRouter } from '../src/app';
import { sha256 } from '../src/persisted-queries';
import { startPlatform, type PlatformHarness } from './harness';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';

async function send(url: string, body: Record<string, unknown>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, ...((await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] }) };
}
const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

describe('Automatic Persisted Queries in Redis', () => {
  let platform: PlatformHarness;
  let second: RunningServer;
  beforeAll(async () => {
    platform = await startPlatform({ REDIS_URL });
    second = await startRouter(platform.config, quietLogger('router-2'));
  });
  afterAll(async () => {
    await second?.stop();
    await platform?.stop();
  });

  it('asks for the full text once, then serves the hash alone, from any instance', async () => {
    // A query no earlier run registered: the alias is random.
    const query = `{ q${randomBytes(6).toString('hex')}: __typename }`;
    const hash = sha256(query);
    const miss = await send(platform.graphqlUrl, { extensions: persisted(hash) });
    expect(errorCodes(miss as never)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);

    const registered = await send(platform.graphqlUrl, { query, extensions: persisted(hash) });
    expect(registered.errors).toBeUndefined();

    const hit = await send(`${second.url}/graphql`, { extensions: persisted(hash) });
    expect(hit.errors).toBeUndefined();
    expect(Object.values(hit.data as object)).toEqual(['Query']);
  });

  it('refuses a hash that does not match the text', async () => {
    const response = await send(platform.graphqlUrl, { query: '{ __typename }', extensions: persisted(sha256('something else')) });
    expect(response.status).toBe(400);
    expect(errorCodes(response as never)).toEqual(['PERSISTED_QUERY_HASH_MISMATCH']);
  });
});

describe('safelist mode', () => {
  let platform: PlatformHarness;
  let folder: string;
  const allowed = `query Allowed { a${randomBytes(6).toString('hex')}: __typename }`;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'manifest-'));
    const manifest = join(folder, 'manifest.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [{ id: sha256(allowed), name: 'Allowed', type: 'query', body: allowed }],
      }),
    );
    platform = await startPlatform({ REDIS_URL, PERSISTED_QUERIES: 'safelist', PERSISTED_QUERIES_MANIFEST: manifest });
  });
  afterAll(async () => {
    await platform?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('runs registered operations by hash or by text', async () => {
    expect((await send(platform.graphqlUrl, { extensions: persisted(sha256(allowed)) })).errors).toBeUndefined();
    expect((await send(platform.graphqlUrl, { query: allowed })).errors).toBeUndefined();
  });

  it('refuses any other operation, and lets no client register one', async () => {
    const other = `{ b${randomBytes(6).toString('hex')}: __typename }`;
    const refused = await send(platform.graphqlUrl, { query: other });
    expect(refused.status).toBe(400);
    expect(errorCodes(refused as never)).toEqual(['PERSISTED_QUERY_NOT_ALLOWED']);

    const registration = await send(platform.graphqlUrl, { query: other, extensions: persisted(sha256(other)) });
    expect(errorCodes(registration as never)).toEqual(['PERSISTED_QUERY_NOT_ALLOWED']);
    const byHash = await send(platform.graphqlUrl, { extensions: persisted(sha256(other)) });
    expect(errorCodes(byHash as never)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });
});

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { REPO_ROOT } from '@supergraph/config';
import { SERVICE } from '@supergraph/identity';
import { errorCodes } from '@supergraph/testing';
import { createProject, startProjectsHarness, userIdentity, type ProjectsHarness } from './harness';

/**
 * `projectIndexFeed`: the change feed search indexes (the AI subgraph) follow. Each page holds the
 * current state of every project changed after the cursor, oldest change first, for services only.
 */
let harness: ProjectsHarness;
beforeAll(async () => {
  harness = await startProjectsHarness();
});
afterAll(() => harness?.stop());

const ada = userIdentity();
const bob = userIdentity();
const admin = userIdentity(randomUUID(), 'PRO', ['USER', 'ADMIN']);

interface Entry {
  id: string;
  removed: boolean;
  ownerId: string | null;
  name: string | null;
  description: string | null;
  visibility: string | null;
  version: number | null;
}
interface Page {
  projects: Entry[];
  cursor: string;
  hasMore: boolean;
}

const FEED = `query ($after: String, $first: Int) {
  projectIndexFeed(after: $after, first: $first) { projects { id removed ownerId name description visibility version } cursor hasMore }
}`;
const UPDATE = `mutation ($id: ID!, $name: String, $description: String, $visibility: Visibility) {
  updateProject(id: $id, name: $name, description: $description, visibility: $visibility) { version }
}`;

async function page(after: string | null, first = 200): Promise<Page> {
  const response = await harness.call<{ projectIndexFeed: Page }>(FEED, { after, first }, SERVICE);
  expect(response.errors).toBeUndefined();
  return response.data!.projectIndexFeed;
}

/** Follows the feed to its end from `after`, as a follower would, `first` projects at a time. */
async function drain(after: string | null, first: number): Promise<{ entries: Entry[]; cursor: string | null; pages: number }> {
  const entries: Entry[] = [];
  let cursor = after;
  let pages = 0;
  for (;;) {
    const next = await page(cursor, first);
    pages++;
    entries.push(...next.projects);
    cursor = next.cursor;
    if (!next.hasMore) return { entries, cursor, pages };
  }
}

async function headCursor(): Promise<string> {
  return (await drain(null, 500)).cursor!;
}

describe('projectIndexFeed', () => {
  it('returns the current state of every project, private ones included, in the order they last changed', async () => {
    const start = await headCursor();
    const first = await createProject(harness, ada, 'Rocket', 'PUBLIC');
    const second = await createProject(harness, bob, 'Diary', 'PRIVATE');
    await harness.call(UPDATE, { id: first, description: 'To the moon' }, ada);

    const { entries } = await drain(start, 200);
    expect(entries).toEqual([
      { id: second, removed: false, ownerId: bob.userId, name: 'Diary', description: '', visibility: 'PRIVATE', version: 1 },
      { id: first, removed: false, ownerId: ada.userId, name: 'Rocket', description: 'To the moon', visibility: 'PUBLIC', version: 2 },
    ]);
  });

  it('pages by cursor: nothing is skipped or repeated, and a project changed again reappears after the cursor', async () => {
    const start = await headCursor();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createProject(harness, ada, `Project ${i}`, 'PUBLIC'));

    const paged = await drain(start, 2);
    expect(paged.pages).toBe(3);
    expect(paged.entries.map((entry) => entry.id)).toEqual(ids);

    await harness.call(UPDATE, { id: ids[1], name: 'Renamed', visibility: 'PRIVATE' }, ada);
    const after = await drain(paged.cursor, 2);
    expect(after.entries).toEqual([expect.objectContaining({ id: ids[1], name: 'Renamed', visibility: 'PRIVATE', version: 2 })]);
    expect(BigInt(after.cursor!)).toBeGreaterThan(BigInt(paged.cursor!));

    const empty = await page(after.cursor);
    expect(empty).toEqual({ projects: [], cursor: after.cursor, hasMore: false });
  });

  it('loses nothing when projects are written concurrently while it is being followed', async () => {
    const start = await headCursor();
    const writes = Array.from({ length: 12 }, (_, i) => createProject(harness, i % 2 ? ada : bob, `Concurrent ${i}`, 'PUBLIC'));
    const seen = new Set<string>();
    let cursor: string | null = start;
    let written: string[] | undefined;
    void Promise.all(writes).then((ids) => (written = ids));
    // Follow while the writers run, then once more after they are done: every project shows up.
    while (written === undefined) {
      const next = await page(cursor, 3);
      for (const entry of next.projects) seen.add(entry.id);
      cursor = next.cursor;
    }
    for (const entry of (await drain(cursor, 3)).entries) seen.add(entry.id);
    expect([...seen].sort()).toEqual([...written].sort());
  });

  it('reports a project whose read model row is gone as removed', async () => {
    const start = await headCursor();
    const id = await createProject(harness, ada, 'Doomed', 'PUBLIC');
    await harness.db.prisma.project.delete({ where: { id } });
    const { entries } = await drain(start, 200);
    expect(entries).toEqual([{ id, removed: true, ownerId: null, name: null, description: null, visibility: null, version: null }]);
  });

  it('is for services only: users, admins and anonymous callers get FORBIDDEN and no data', async () => {
    for (const identity of [ada, admin, { kind: 'anonymous' } as const]) {
      const response = await harness.call(FEED, {}, identity);
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
      expect(response.data?.projectIndexFeed ?? null).toBeNull();
    }
  });

  it('is hidden from the public API the router serves (@inaccessible), while the supergraph routes it to projects', () => {
    const supergraph = Supergraph.build(readFileSync(join(REPO_ROOT, 'supergraph.graphql'), 'utf8'), { supportedFeatures: null });
    expect(supergraph.schema.schemaDefinition.rootType('query')?.field('projectIndexFeed')).toBeDefined();
    const api = supergraph.apiSchema();
    expect(api.schemaDefinition.rootType('query')?.field('projectIndexFeed')).toBeUndefined();
    expect(api.type('ProjectIndexPage')).toBeUndefined();
  });

  it('refuses a malformed cursor and an out-of-range page size with BAD_USER_INPUT', async () => {
    for (const variables of [{ after: 'abc' }, { after: '-1' }, { first: 0 }, { first: 501 }]) {
      const response = await harness.call(FEED, variables, SERVICE);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    }
  });
});

import { createHash, randomUUID } from 'node:crypto';
import { errorCodes } from '@supergraph/testing';
import { CREATE, createProject, startProjectsHarness, userIdentity, type ProjectsHarness } from './harness';

let harness: ProjectsHarness;
beforeAll(async () => {
  harness = await startProjectsHarness({ PROJECTS_MAX_FILES_PER_CHANGE: '5', PROJECTS_MAX_FILES: '8', PROJECTS_MAX_FILE_BYTES: '1000' });
});
afterAll(() => harness?.stop());

const ada = userIdentity();
const bob = userIdentity();
const admin = userIdentity(randomUUID(), 'PRO', ['USER', 'ADMIN']);

const ADD_FILES = `mutation ($projectId: ID!, $files: [FileInput!]!, $expectedVersion: Int) {
  addFiles(projectId: $projectId, files: $files, expectedVersion: $expectedVersion) { id version files { path size contentHash version } }
}`;
const SANDBOX = `mutation ($projectId: ID!, $status: SandboxStatus!) { setSandboxStatus(projectId: $projectId, status: $status) { sandboxStatus version } }`;
const PROJECT = `query ($id: ID!) { project(id: $id) { id name version sandboxStatus files { path content version } versions { number message files { path version } } } }`;

/** Every row the subgraph writes, counted: what "writes nothing" is checked against. */
async function rowCounts() {
  const { prisma } = harness.db;
  const [events, projects, files, versions, tasks, outbox] = await Promise.all([
    prisma.projectEvent.count(),
    prisma.project.count(),
    prisma.projectFile.count(),
    prisma.projectVersion.count(),
    prisma.task.count(),
    prisma.outboxEvent.count(),
  ]);
  return { events, projects, files, versions, tasks, outbox };
}

describe('projects', () => {
  it('creates a private project for the signed-in user, with a ProjectCreated event and an outbox row', async () => {
    const response = await harness.call(CREATE, { name: '  Rocket  ', description: 'To the moon' }, ada);
    expect(response.errors).toBeUndefined();
    const project = response.data!.createProject;
    expect(project).toMatchObject({
      name: 'Rocket',
      description: 'To the moon',
      visibility: 'PRIVATE',
      sandboxStatus: 'STOPPED',
      version: 1,
      owner: { id: ada.userId },
    });
    const events = await harness.db.prisma.projectEvent.findMany({ where: { projectId: project.id } });
    expect(events.map((event) => [event.version, event.type, event.actorId])).toEqual([[1, 'ProjectCreated', ada.userId]]);
    const outbox = await harness.db.prisma.outboxEvent.findMany({ where: { channel: 'projects.projectChanged' } });
    expect(outbox.map((row) => row.payload)).toContainEqual({ projectId: project.id, ownerId: ada.userId, version: 1, type: 'ProjectCreated' });
  });

  it('adds files with size, sha256 and per-file versions; changing content bumps the file version, same content adds nothing', async () => {
    const id = await createProject(harness, ada);
    const first = await harness.call(
      ADD_FILES,
      {
        projectId: id,
        files: [
          { path: 'src/a.ts', content: 'export {}\n' },
          { path: 'README.md', content: 'héllo' },
        ],
      },
      ada,
    );
    expect(first.errors).toBeUndefined();
    expect(first.data!.addFiles.files).toEqual([
      { path: 'README.md', size: 6, contentHash: createHash('sha256').update('héllo').digest('hex'), version: 1 },
      { path: 'src/a.ts', size: 10, contentHash: createHash('sha256').update('export {}\n').digest('hex'), version: 1 },
    ]);
    const second = await harness.call(
      ADD_FILES,
      {
        projectId: id,
        files: [
          { path: 'src/a.ts', content: 'export const a = 1;\n' },
          { path: 'README.md', content: 'héllo' },
        ],
      },
      ada,
    );
    expect(second.data!.addFiles.version).toBe(4);
    expect(second.data!.addFiles.files.map((file: { path: string; version: number }) => [file.path, file.version])).toEqual([
      ['README.md', 1],
      ['src/a.ts', 2],
    ]);
  });

  it('cuts immutable versions that keep their file list when files change later', async () => {
    const id = await createProject(harness, ada);
    await harness.call(ADD_FILES, { projectId: id, files: [{ path: 'a.txt', content: 'one' }] }, ada);
    const cut = await harness.call(
      `mutation ($id: ID!) { cutVersion(projectId: $id, message: "first") { number message eventVersion files { path version } } }`,
      { id },
      ada,
    );
    expect(cut.data!.cutVersion).toEqual({ number: 1, message: 'first', eventVersion: 3, files: [{ path: 'a.txt', version: 1 }] });
    await harness.call(
      ADD_FILES,
      {
        projectId: id,
        files: [
          { path: 'a.txt', content: 'two' },
          { path: 'b.txt', content: 'b' },
        ],
      },
      ada,
    );
    await harness.call(`mutation ($id: ID!) { removeFile(projectId: $id, path: "b.txt") { version } }`, { id }, ada);
    await harness.call(`mutation ($id: ID!) { cutVersion(projectId: $id, message: "second") { number } }`, { id }, ada);
    const { data } = await harness.call(PROJECT, { id }, ada);
    expect(data!.project.versions).toEqual([
      { number: 1, message: 'first', files: [{ path: 'a.txt', version: 1 }] },
      { number: 2, message: 'second', files: [{ path: 'a.txt', version: 2 }] },
    ]);
  });

  it('validates sandbox transitions: STOPPED → PROVISIONING → RUNNING → STOPPED, and refuses the rest with INVALID_SANDBOX_TRANSITION', async () => {
    const id = await createProject(harness, ada);
    const refuse = async (status: string, from: string) => {
      const before = await rowCounts();
      const response = await harness.call(SANDBOX, { projectId: id, status }, ada);
      expect(errorCodes(response)).toEqual(['INVALID_SANDBOX_TRANSITION']);
      expect(response.errors![0]!.extensions).toMatchObject({ from, to: status });
      expect(await rowCounts()).toEqual(before);
    };
    await refuse('RUNNING', 'STOPPED');
    await refuse('STOPPED', 'STOPPED');
    expect((await harness.call(SANDBOX, { projectId: id, status: 'PROVISIONING' }, ada)).data!.setSandboxStatus.sandboxStatus).toBe('PROVISIONING');
    await refuse('STOPPED', 'PROVISIONING');
    await refuse('PROVISIONING', 'PROVISIONING');
    expect((await harness.call(SANDBOX, { projectId: id, status: 'RUNNING' }, ada)).data!.setSandboxStatus.sandboxStatus).toBe('RUNNING');
    await refuse('PROVISIONING', 'RUNNING');
    expect((await harness.call(SANDBOX, { projectId: id, status: 'FAILED' }, ada)).data!.setSandboxStatus).toEqual({ sandboxStatus: 'FAILED', version: 4 });
    await refuse('RUNNING', 'FAILED');
    expect((await harness.call(SANDBOX, { projectId: id, status: 'PROVISIONING' }, ada)).errors).toBeUndefined();
    const history = await harness.call(`query ($id: ID!) { projectHistory(id: $id) { version type payload actorId } }`, { id }, ada);
    expect(history.data!.projectHistory.map((event: { type: string; payload: { to?: string } }) => event.payload.to ?? event.type)).toEqual([
      'ProjectCreated',
      'PROVISIONING',
      'RUNNING',
      'FAILED',
      'PROVISIONING',
    ]);
  });

  it.each([
    ['too many files at once', { files: Array.from({ length: 6 }, (_, i) => ({ path: `f${i}`, content: 'x' })) }, 'TOO_MANY_FILES'],
    ['a file over the size limit', { files: [{ path: 'big.bin', content: 'x'.repeat(1001) }] }, 'FILE_TOO_LARGE'],
    ['an absolute path', { files: [{ path: '/etc/passwd', content: 'x' }] }, 'INVALID_PATH'],
    ['a path escaping the project', { files: [{ path: 'src/../../x', content: 'x' }] }, 'INVALID_PATH'],
    [
      'the same path twice',
      {
        files: [
          { path: 'a', content: 'x' },
          { path: 'a', content: 'y' },
        ],
      },
      'DUPLICATE_PATH',
    ],
    ['no files', { files: [] }, 'BAD_USER_INPUT'],
    ['a stale expectedVersion', { files: [{ path: 'ok.txt', content: 'x' }], expectedVersion: 7 }, 'VERSION_CONFLICT'],
  ])('refuses %s with %s and writes nothing', async (_what, variables, code) => {
    const id = await createProject(harness, ada);
    const before = await rowCounts();
    const response = await harness.call(ADD_FILES, { projectId: id, ...variables }, ada);
    expect(errorCodes(response)).toEqual([code]);
    expect(response.data).toBeNull();
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses files beyond the per-project limit with TOO_MANY_FILES, counting only new paths', async () => {
    const id = await createProject(harness, ada);
    const files = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ path: `f${from + i}`, content: 'x' }));
    expect((await harness.call(ADD_FILES, { projectId: id, files: files(0, 5) }, ada)).errors).toBeUndefined();
    const before = await rowCounts();
    // f4…f8: one already there, four new: 9 files > 8.
    expect(errorCodes(await harness.call(ADD_FILES, { projectId: id, files: files(4, 5) }, ada))).toEqual(['TOO_MANY_FILES']);
    expect(await rowCounts()).toEqual(before);
    // f4…f7: three new: exactly 8.
    expect((await harness.call(ADD_FILES, { projectId: id, files: files(4, 4) }, ada)).errors).toBeUndefined();
  });

  it("keeps someone else's private project invisible (NOT_FOUND) and their public one read-only (FORBIDDEN), writing nothing", async () => {
    const secret = await createProject(harness, ada, 'Secret');
    const open = await createProject(harness, ada, 'Open', 'PUBLIC');
    const before = await rowCounts();
    expect(errorCodes(await harness.call(ADD_FILES, { projectId: secret, files: [{ path: 'x', content: 'x' }] }, bob))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await harness.call(ADD_FILES, { projectId: open, files: [{ path: 'x', content: 'x' }] }, bob))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await harness.call(SANDBOX, { projectId: secret, status: 'PROVISIONING' }, bob))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await harness.call(`query ($id: ID!) { projectHistory(id: $id) { version } }`, { id: secret }, bob))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await harness.call(SANDBOX, { projectId: 'not-a-uuid', status: 'PROVISIONING' }, ada))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await harness.call(SANDBOX, { projectId: randomUUID(), status: 'PROVISIONING' }, ada))).toEqual(['NOT_FOUND']);
    expect(await rowCounts()).toEqual(before);
    expect((await harness.call(PROJECT, { id: secret }, bob)).data!.project).toBeNull();
    expect((await harness.call(PROJECT, { id: open }, bob)).data!.project.name).toBe('Open');
    expect((await harness.call(PROJECT, { id: secret }, admin)).data!.project.name).toBe('Secret');
  });

  it('refuses anonymous callers with UNAUTHENTICATED and bad names with BAD_USER_INPUT', async () => {
    const before = await rowCounts();
    expect(errorCodes(await harness.call(CREATE, { name: 'x' }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await harness.call(CREATE, { name: '   ' }, ada))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await harness.call(CREATE, { name: 'x'.repeat(101) }, ada))).toEqual(['BAD_USER_INPUT']);
    expect(await rowCounts()).toEqual(before);
  });
});

describe('outbox', () => {
  it('publishes projects.projectChanged to the event bus after commit, once per event, and marks the rows published', async () => {
    const events = harness.subgraph.events.subscribe<{ id: string; payload: { projectId: string; version: number; type: string } }>('projects.projectChanged');
    const id = await createProject(harness, ada, 'Announced');
    await harness.call(
      ADD_FILES,
      {
        projectId: id,
        files: [
          { path: 'a', content: 'a' },
          { path: 'b', content: 'b' },
        ],
      },
      ada,
    );
    await harness.subgraph.outbox.flush();
    // The in-process bus buffers what was published after subscribing; flush() has published it all.
    const received: { projectId: string; version: number; type: string }[] = [];
    while (received.length < 3) {
      const { value } = await events.next();
      if (value.payload.projectId === id) received.push(value.payload);
    }
    await events.return!();
    expect(received.map((event) => [event.version, event.type])).toEqual([
      [1, 'ProjectCreated'],
      [2, 'FileAdded'],
      [3, 'FileAdded'],
    ]);
    expect(await harness.db.prisma.outboxEvent.count({ where: { publishedAt: null, payload: { path: ['projectId'], equals: id } } })).toBe(0);
  });
});

describe('User.projects through _entities', () => {
  const ENTITIES = `query ($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on User { id projects { name visibility owner { id } } } }
  }`;

  it("lists a user's projects: all for themself, public ones for others", async () => {
    const carol = userIdentity();
    await createProject(harness, carol, 'Mine');
    await createProject(harness, carol, 'Shared', 'PUBLIC');
    const representations = [{ __typename: 'User', id: carol.userId }];
    const own = await harness.call(ENTITIES, { representations }, carol);
    expect(own.data!._entities[0].projects.map((p: { name: string }) => p.name)).toEqual(['Mine', 'Shared']);
    const other = await harness.call(ENTITIES, { representations }, bob);
    expect(other.data!._entities[0].projects).toEqual([{ name: 'Shared', visibility: 'PUBLIC', owner: { id: carol.userId } }]);
  });

  it('loads the projects of N users, with their files and tasks, in a constant number of SQL statements', async () => {
    const owners = Array.from({ length: 8 }, () => userIdentity());
    for (const owner of owners) await createProject(harness, owner, 'P', 'PUBLIC');
    const query = `query ($representations: [_Any!]!) {
      _entities(representations: $representations) { ... on User { id projects { name files { path } versions { number } tasks { id } } } }
    }`;
    const measure = async (count: number) =>
      (
        await harness.countSqlStatements(() =>
          harness.call(query, { representations: owners.slice(0, count).map((o) => ({ __typename: 'User', id: o.userId })) }, admin),
        )
      ).count;
    const two = await measure(2);
    const eight = await measure(8);
    expect(eight).toBe(two);
    expect(eight).toBeLessThanOrEqual(5);
  });
});

import { errorCodes } from '@supergraph/testing';
import { rebuildReadModel } from '../src/data/event-store';
import { createProject, startProjectsHarness, userIdentity, type ProjectsHarness } from './harness';

let harness: ProjectsHarness;
beforeAll(async () => {
  harness = await startProjectsHarness();
});
afterAll(() => harness?.stop());

const owner = userIdentity();
const ADD_FILE = `mutation ($projectId: ID!, $path: String!, $content: String!) { addFile(projectId: $projectId, path: $path, content: $content) { version } }`;

/** The whole read model of a project, as plain data. */
async function readModel(projectId: string) {
  const { prisma } = harness.db;
  return {
    project: await prisma.project.findUnique({ where: { id: projectId } }),
    files: await prisma.projectFile.findMany({ where: { projectId }, orderBy: { path: 'asc' } }),
    versions: await prisma.projectVersion.findMany({ where: { projectId }, orderBy: { number: 'asc' } }),
  };
}

async function mutate(query: string, variables: Record<string, unknown>) {
  const response = await harness.call(query, variables, owner);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

describe('event sourcing', () => {
  it('rebuilds, from the event log alone, exactly the read model the live projection wrote', async () => {
    const ids = [await createProject(harness, owner, 'Alpha'), await createProject(harness, owner, 'Beta', 'PUBLIC')];
    for (const id of ids) {
      await mutate(
        `mutation ($id: ID!) { addFiles(projectId: $id, files: [{ path: "a.ts", content: "1" }, { path: "b.ts", content: "2" }, { path: "c/d.md", content: "# d" }]) { version } }`,
        { id },
      );
      await mutate(`mutation ($id: ID!) { cutVersion(projectId: $id, message: "v1") { number } }`, { id });
      await mutate(ADD_FILE, { projectId: id, path: 'a.ts', content: 'changed' });
      await mutate(`mutation ($id: ID!) { removeFile(projectId: $id, path: "b.ts") { version } }`, { id });
      await mutate(`mutation ($id: ID!) { updateProject(id: $id, name: "Renamed", description: "new words") { version } }`, { id });
      await mutate(`mutation ($id: ID!) { setSandboxStatus(projectId: $id, status: PROVISIONING) { version } }`, { id });
      await mutate(`mutation ($id: ID!) { cutVersion(projectId: $id, message: "v2") { number } }`, { id });
      await mutate(ADD_FILE, { projectId: id, path: 'b.ts', content: 'back again' });
    }
    const live = await Promise.all(ids.map(readModel));
    expect(live[0]!.project).toMatchObject({ name: 'Renamed', sandboxStatus: 'PROVISIONING', version: 11 });
    expect(live[0]!.files.map((file) => [file.path, file.version])).toEqual([
      ['a.ts', 2],
      ['b.ts', 1],
      ['c/d.md', 1],
    ]);

    // Wreck the read model, then rebuild every project from the log.
    await harness.db.prisma.projectFile.deleteMany({ where: { projectId: { in: ids } } });
    await harness.db.prisma.projectVersion.deleteMany({ where: { projectId: { in: ids } } });
    await harness.db.prisma.project.updateMany({ where: { id: { in: ids } }, data: { name: 'garbage', version: 0, sandboxStatus: 'FAILED' } });
    expect(await rebuildReadModel(harness.db.prisma)).toBeGreaterThanOrEqual(2);
    expect(await Promise.all(ids.map(readModel))).toEqual(live);
  });

  it('lets admins (only) rebuild the read model through the API', async () => {
    const id = await createProject(harness, owner, 'Rebuilt');
    await harness.db.prisma.project.update({ where: { id }, data: { name: 'garbage' } });
    const admin = userIdentity(undefined, 'FREE', ['USER', 'ADMIN']);
    expect(errorCodes(await harness.call('mutation { rebuildProjectReadModel }', {}, owner))).toEqual(['FORBIDDEN']);
    const one = await harness.call('mutation ($id: ID!) { rebuildProjectReadModel(projectId: $id) }', { id }, admin);
    expect(one.data).toEqual({ rebuildProjectReadModel: 1 });
    const all = await harness.call('mutation { rebuildProjectReadModel }', {}, admin);
    expect(all.data!.rebuildProjectReadModel).toBe(await harness.db.prisma.project.count());
    expect((await harness.db.prisma.project.findUniqueOrThrow({ where: { id } })).name).toBe('Rebuilt');
  });

  it('projectHistory returns every event in order, with payloads and actors', async () => {
    const id = await createProject(harness, owner, 'History');
    await mutate(ADD_FILE, { projectId: id, path: 'x.txt', content: 'x' });
    await mutate(`mutation ($id: ID!) { cutVersion(projectId: $id, message: "snap") { number } }`, { id });
    const { projectHistory } = await mutate(`query ($id: ID!) { projectHistory(id: $id) { version type payload actorId occurredAt } }`, { id });
    expect(projectHistory.map((event: { version: number; type: string }) => [event.version, event.type])).toEqual([
      [1, 'ProjectCreated'],
      [2, 'FileAdded'],
      [3, 'VersionCut'],
    ]);
    expect(projectHistory[1].payload).toEqual({ path: 'x.txt', size: 1, contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(projectHistory[2].payload).toEqual({ number: 1, message: 'snap', files: [{ path: 'x.txt', size: 1, contentHash: expect.any(String), version: 1 }] });
    expect(new Set(projectHistory.map((event: { actorId: string }) => event.actorId))).toEqual(new Set([owner.userId]));
    const page = await mutate(`query ($id: ID!) { projectHistory(id: $id, after: 1, first: 1) { version } }`, { id });
    expect(page.projectHistory).toEqual([{ version: 2 }]);
  });

  it('serialises 20 concurrent writers to one project: every write lands, versions 1..21 with no gap', async () => {
    const id = await createProject(harness, owner, 'Busy');
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => harness.call(ADD_FILE, { projectId: id, path: `file-${i}.txt`, content: `content ${i}` }, owner)),
    );
    for (const response of responses) expect(response.errors).toBeUndefined();
    const events = await harness.db.prisma.projectEvent.findMany({ where: { projectId: id }, orderBy: { version: 'asc' } });
    expect(events.map((event) => event.version)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    const files = await harness.db.prisma.projectFile.findMany({ where: { projectId: id } });
    expect(files.map((file) => file.path).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `file-${i}.txt`).sort());
    expect((await harness.db.prisma.project.findUniqueOrThrow({ where: { id } })).version).toBe(21);
    // Each writer's event sits at its own version, acted by its own request.
    expect(new Set(events.slice(1).map((event) => (event.payload as { path: string }).path)).size).toBe(20);
  });

  it('refuses with VERSION_CONFLICT when an expectedVersion is stale, and writes nothing', async () => {
    const id = await createProject(harness, owner, 'Optimistic');
    const ok = await harness.call(`mutation ($id: ID!) { updateProject(id: $id, name: "B", expectedVersion: 1) { version } }`, { id }, owner);
    expect(ok.data!.updateProject.version).toBe(2);
    const stale = await harness.call(`mutation ($id: ID!) { updateProject(id: $id, name: "C", expectedVersion: 1) { version } }`, { id }, owner);
    expect(errorCodes(stale)).toEqual(['VERSION_CONFLICT']);
    expect(stale.errors![0]!.extensions).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
    expect(await harness.db.prisma.projectEvent.count({ where: { projectId: id } })).toBe(2);
  });
});

describe('when retries run out', () => {
  let strict: ProjectsHarness;
  beforeAll(async () => {
    strict = await startProjectsHarness({ PROJECTS_COMMAND_RETRIES: '0' });
  });
  afterAll(() => strict?.stop());

  it('reports VERSION_CONFLICT to the writers that lost, and loses nothing that was acknowledged', async () => {
    const id = await createProject(strict, owner, 'Contended');
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => strict.call(ADD_FILE, { projectId: id, path: `f${i}`, content: `${i}` }, owner)));
    const succeeded = responses.filter((response) => !response.errors);
    const conflicts = responses.filter((response) => errorCodes(response)[0] === 'VERSION_CONFLICT');
    expect(succeeded.length + conflicts.length).toBe(10);
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    const files = await strict.db.prisma.projectFile.count({ where: { projectId: id } });
    expect(files).toBe(succeeded.length);
    expect(await strict.db.prisma.projectEvent.count({ where: { projectId: id } })).toBe(succeeded.length + 1);
  });
});

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCodes, quietLogger } from '@supergraph/testing';
import type { HandlerContext } from '../src/tasks/handlers';
import { InProcessTaskQueue } from '../src/queue/in-process-queue';
import type { QueuedJob } from '../src/queue/task-queue';
import { processJob, requeueWaiting, waitingTasksSweeper } from '../src/tasks/tasks';
import { createProject, eventually, startProjectsHarness, userIdentity, type ProjectsHarness } from './harness';

const SUBMIT = `mutation ($projectId: ID!, $kind: TaskKind!, $input: JSONObject) {
  submitTask(projectId: $projectId, kind: $kind, input: $input) { id status tier attempts queuePosition }
}`;
const TASK = `query ($id: ID!) { task(id: $id) { id kind status attempts maxAttempts result error cancelRequested queuePosition project { id } } }`;
const CANCEL = `mutation ($id: ID!) { cancelTask(id: $id) { id status cancelRequested } }`;
const ADD_FILES = `mutation ($projectId: ID!, $files: [FileInput!]!) { addFiles(projectId: $projectId, files: $files) { version } }`;

async function finished(harness: ProjectsHarness, id: string, identity: ReturnType<typeof userIdentity>) {
  return eventually(
    async () => {
      const { data } = await harness.call(TASK, { id }, identity);
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(data?.task?.status) ? data!.task : undefined;
    },
    20_000,
    `task ${id} to finish`,
  );
}

describe('tasks on the embedded worker', () => {
  let harness: ProjectsHarness;
  const owner = userIdentity(undefined, 'PRO');
  let projectId: string;
  beforeAll(async () => {
    harness = await startProjectsHarness({ PROJECTS_TASK_MAX_ATTEMPTS: '3' });
    projectId = await createProject(harness, owner, 'Worked');
    await harness.call(
      ADD_FILES,
      {
        projectId,
        files: [
          { path: 'src/a.ts', content: 'a\nb\n// TODO x' },
          { path: 'test/a.test.ts', content: 'expect(1)\nexpect(2)' },
        ],
      },
      owner,
    );
  });
  afterAll(() => harness?.stop());

  it('runs BUILD: verifies every file and returns a digest of the tree', async () => {
    const submitted = await harness.call(SUBMIT, { projectId, kind: 'BUILD' }, owner);
    expect(submitted.data!.submitTask).toMatchObject({ status: 'QUEUED', tier: 'PRO', attempts: 0 });
    const task = await finished(harness, submitted.data!.submitTask.id, owner);
    expect(task).toMatchObject({ status: 'SUCCEEDED', attempts: 1, error: null, queuePosition: null, project: { id: projectId } });
    expect(task.result).toEqual({ digest: expect.stringMatching(/^[0-9a-f]{64}$/), files: 2, bytes: 13 + 19 });
  });

  it('runs ANALYZE: lines per extension and TODO markers', async () => {
    const submitted = await harness.call(SUBMIT, { projectId, kind: 'ANALYZE', input: { top: 1 } }, owner);
    const task = await finished(harness, submitted.data!.submitTask.id, owner);
    expect(task.result).toEqual({ files: 2, lines: 5, todos: 1, byExtension: { ts: { files: 2, lines: 5 } }, largest: [{ path: 'test/a.test.ts', size: 19 }] });
  });

  it('retries a failing TEST with backoff, then records FAILED with the attempts and the error', async () => {
    const submitted = await harness.call(SUBMIT, { projectId, kind: 'TEST', input: { failOn: 'expect(2)' } }, owner);
    const id = submitted.data!.submitTask.id;
    const task = await finished(harness, id, owner);
    expect(task).toMatchObject({ status: 'FAILED', attempts: 3, maxAttempts: 3, result: null, error: '1 failing check(s): test/a.test.ts:2' });
    const updates = await harness.db.prisma.outboxEvent.findMany({ where: { channel: 'projects.taskUpdated' }, orderBy: { id: 'asc' } });
    const statuses = updates
      .map((row) => row.payload as { taskId: string; status: string })
      .filter((payload) => payload.taskId === id)
      .map((payload) => payload.status);
    expect(statuses).toEqual(['QUEUED', 'RUNNING', 'QUEUED', 'RUNNING', 'QUEUED', 'RUNNING', 'FAILED']);
    // Exponential backoff (PROJECTS_TASK_BACKOFF_MS=20 in tests): 20 ms, then 40 ms between attempts.
    const row = await harness.db.prisma.task.findUniqueOrThrow({ where: { id } });
    expect(row.finishedAt!.getTime() - row.createdAt.getTime()).toBeGreaterThanOrEqual(60);
  });

  it('runs DEPLOY: the sandbox goes STOPPED → PROVISIONING → RUNNING as system events, and a redeploy stops it first', async () => {
    for (const expected of [
      ['PROVISIONING', 'RUNNING'],
      ['STOPPED', 'PROVISIONING', 'RUNNING'],
    ]) {
      const before = await harness.db.prisma.projectEvent.count({ where: { projectId } });
      const submitted = await harness.call(SUBMIT, { projectId, kind: 'DEPLOY', input: { reason: 'release' } }, owner);
      const task = await finished(harness, submitted.data!.submitTask.id, owner);
      expect(task.status).toBe('SUCCEEDED');
      expect(task.result).toMatchObject({ sandboxStatus: 'RUNNING', files: 2 });
      const events = await harness.db.prisma.projectEvent.findMany({ where: { projectId, version: { gt: before } }, orderBy: { version: 'asc' } });
      expect(events.map((event) => [event.type, (event.payload as { to: string }).to, event.actorId])).toEqual(
        expected.map((to) => ['SandboxStateChanged', to, null]),
      );
    }
    const { data } = await harness.call(`query ($id: ID!) { project(id: $id) { sandboxStatus tasks { kind status } } }`, { id: projectId }, owner);
    expect(data!.project.sandboxStatus).toBe('RUNNING');
    expect(data!.project.tasks[0]).toEqual({ kind: 'DEPLOY', status: 'SUCCEEDED' });
  });

  it('fails DEPLOY of an empty project and leaves its sandbox FAILED', async () => {
    const empty = await createProject(harness, owner, 'Empty');
    const submitted = await harness.call(SUBMIT, { projectId: empty, kind: 'DEPLOY' }, owner);
    const task = await finished(harness, submitted.data!.submitTask.id, owner);
    expect(task).toMatchObject({ status: 'FAILED', attempts: 3, error: 'Nothing to deploy: the project has no files' });
    const { data } = await harness.call(`query ($id: ID!) { project(id: $id) { sandboxStatus } }`, { id: empty }, owner);
    expect(data!.project.sandboxStatus).toBe('FAILED');
  });
});

describe('submitting and cancelling', () => {
  let harness: ProjectsHarness;
  const owner = userIdentity(undefined, 'FREE');
  let projectId: string;
  beforeAll(async () => {
    // No worker: tasks stay queued until a test runs one.
    harness = await startProjectsHarness({ PROJECTS_INPROCESS_WORKER: 'false', PROJECTS_MAX_PENDING_TASKS: '50:10:3' });
    projectId = await createProject(harness, owner, 'Queued');
    await harness.call(ADD_FILES, { projectId, files: [{ path: 'a.txt', content: 'a' }] }, owner);
  });
  afterAll(() => harness?.stop());

  const taskRows = () => harness.db.prisma.task.count();

  it.each([
    ['an unknown input key', { kind: 'BUILD', input: { shell: 'rm -rf /' } }, 'BAD_USER_INPUT'],
    ['an input of the wrong type', { kind: 'ANALYZE', input: { top: 'all' } }, 'BAD_USER_INPUT'],
    ['an oversized input', { kind: 'TEST', input: { failOn: 'x'.repeat(5000) } }, 'INPUT_TOO_LARGE'],
  ])('refuses %s and writes nothing', async (_what, variables, code) => {
    const before = await taskRows();
    expect(errorCodes(await harness.call(SUBMIT, { projectId, ...variables }, owner))).toEqual([code]);
    expect(await taskRows()).toBe(before);
  });

  it("refuses tasks on someone else's project, or on none, with NOT_FOUND", async () => {
    const before = await taskRows();
    expect(errorCodes(await harness.call(SUBMIT, { projectId, kind: 'BUILD' }, userIdentity(undefined, 'ENTERPRISE')))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await harness.call(SUBMIT, { projectId: randomUUID(), kind: 'BUILD' }, owner))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await harness.call(SUBMIT, { projectId, kind: 'BUILD' }))).toEqual(['UNAUTHENTICATED']);
    expect(await taskRows()).toBe(before);
  });

  it('cancels a queued task: it leaves the queue and is never run; a finished task cannot be cancelled', async () => {
    const id = (await harness.call(SUBMIT, { projectId, kind: 'BUILD' }, owner)).data!.submitTask.id;
    const cancelled = await harness.call(CANCEL, { id }, owner);
    expect(cancelled.data!.cancelTask).toEqual({ id, status: 'CANCELLED', cancelRequested: true });
    expect(await harness.subgraph.queue.remove({ taskId: id, tier: 'FREE', attempt: 1 })).toBe(false);
    expect(errorCodes(await harness.call(CANCEL, { id }, owner))).toEqual(['TASK_FINISHED']);
    expect(errorCodes(await harness.call(CANCEL, { id }, userIdentity()))).toEqual(['NOT_FOUND']);
  });

  it('limits unfinished tasks per user by tier (FREE: 3 here) with TOO_MANY_TASKS', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await harness.call(SUBMIT, { projectId, kind: 'BUILD' }, owner);
      expect(response.errors).toBeUndefined();
      ids.push(response.data!.submitTask.id);
    }
    const before = await taskRows();
    const refused = await harness.call(SUBMIT, { projectId, kind: 'BUILD' }, owner);
    expect(errorCodes(refused)).toEqual(['TOO_MANY_TASKS']);
    expect(refused.errors![0]!.extensions).toMatchObject({ limit: 3, tier: 'FREE' });
    expect(await taskRows()).toBe(before);
    for (const id of ids) await harness.call(CANCEL, { id }, owner);
    expect((await harness.call(SUBMIT, { projectId, kind: 'BUILD' }, owner)).errors).toBeUndefined();
    await harness.call(CANCEL, { id: (await harness.db.prisma.task.findFirstOrThrow({ where: { status: 'QUEUED' } })).id }, owner);
  });

  it('runs an attempt again when its job is handed out again after its worker died, and ignores stale deliveries', async () => {
    const id = (await harness.call(SUBMIT, { projectId, kind: 'BUILD' }, owner)).data!.submitTask.id;
    // The worker that took attempt 1 died after marking it RUNNING.
    await harness.db.prisma.task.update({ where: { id }, data: { status: 'RUNNING', attempts: 1, startedAt: new Date() } });
    const env = { prisma: harness.subgraph.database.prisma, limits: harness.config.projects, queue: harness.subgraph.queue };
    await processJob(env, { taskId: id, tier: 'FREE', attempt: 1 }, quietLogger('worker'));
    expect(await harness.db.prisma.task.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    // A late duplicate of the same job changes nothing.
    await processJob(env, { taskId: id, tier: 'FREE', attempt: 1 }, quietLogger('worker'));
    expect(await harness.db.prisma.task.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
  });

  it('after a restart of the embedded queue, puts interrupted and waiting tasks back on the queue', async () => {
    const id = (await harness.call(SUBMIT, { projectId, kind: 'ANALYZE' }, owner)).data!.submitTask.id;
    await harness.db.prisma.task.update({ where: { id }, data: { status: 'RUNNING', attempts: 1 } });
    const queue = new InProcessTaskQueue({ weights: harness.config.projects.tierWeights, caps: harness.config.projects.tierConcurrency });
    const env = { prisma: harness.subgraph.database.prisma, limits: harness.config.projects, queue };
    expect(await requeueWaiting(env)).toBeGreaterThanOrEqual(1);
    expect(await harness.db.prisma.task.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'QUEUED', attempts: 1 });
    expect(await queue.remove({ taskId: id, tier: 'FREE', attempt: 2 })).toBe(true);
    await queue.close();
    await harness.call(CANCEL, { id }, owner);
  });

  it('keeps queueing the tasks saved during a Redis outage until the queue takes them, not only once at the reconnect', async () => {
    const id = (await harness.call(SUBMIT, { projectId, kind: 'ANALYZE' }, owner)).data!.submitTask.id;
    // A queue whose first commands after the reconnect still fail, as a Redis that drops again would.
    let failuresLeft = 2;
    const queue = new (class extends InProcessTaskQueue {
      override enqueue(job: QueuedJob, options?: { delayMs?: number }): Promise<void> {
        return failuresLeft-- > 0 ? Promise.reject(new Error('Connection is closed.')) : super.enqueue(job, options);
      }
    })({ weights: harness.config.projects.tierWeights, caps: harness.config.projects.tierConcurrency });
    const env = { prisma: harness.subgraph.database.prisma, limits: harness.config.projects, queue };
    const sweeper = waitingTasksSweeper(env, quietLogger('projects'), { firstMs: 10, maxMs: 40 });
    sweeper.sweep();
    sweeper.sweep(); // a second reconnect while the first sweep is retrying folds into it
    for (let waited = 0; failuresLeft >= 0 && waited < 5_000; waited += 10) await sleep(10);
    await sleep(100);
    sweeper.stop();
    expect(await queue.remove({ taskId: id, tier: 'FREE', attempt: 1 })).toBe(true);
    await queue.close();
    await harness.call(CANCEL, { id }, owner);
  });

  it('cancels a running task at its next checkpoint', async () => {
    const id = (await harness.call(SUBMIT, { projectId, kind: 'BUILD' }, owner)).data!.submitTask.id;
    let checkpoints = 0;
    const slowBuild = async (ctx: HandlerContext) => {
      for (let i = 0; i < 500; i++) {
        await ctx.checkpoint();
        checkpoints++;
        await sleep(10);
      }
      return { finished: true };
    };
    const env = { prisma: harness.subgraph.database.prisma, limits: harness.config.projects, queue: harness.subgraph.queue, handlers: { BUILD: slowBuild } };
    const worker = harness.subgraph.queue.process((job) => processJob(env, job, quietLogger('worker')), { concurrency: 1 });
    try {
      await eventually(async () => (checkpoints > 2 ? true : undefined), 10_000, 'the task to run');
      const response = await harness.call(CANCEL, { id }, owner);
      expect(response.data!.cancelTask).toEqual({ id, status: 'RUNNING', cancelRequested: true });
      const task = await finished(harness, id, owner);
      expect(task).toMatchObject({ status: 'CANCELLED', attempts: 1, result: null });
      expect(checkpoints).toBeLessThan(500);
    } finally {
      await worker.stop();
    }
  });
});

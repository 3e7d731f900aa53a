/**
 * The BullMQ task queue across Redis outages. The subgraph reaches Redis through a proxy that the
 * tests cut: a task submitted while Redis is away is saved and answered at once, and runs once
 * Redis is back, whether or not the client saw a reconnect attempt fail meanwhile.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startTcpProxy, type TcpProxy } from '@supergraph/testing';
import { createProject, eventually, REDIS_URL, startProjectsHarness, userIdentity, type ProjectsHarness } from './harness';

jest.setTimeout(60_000);

const SUBMIT = `mutation ($projectId: ID!) { submitTask(projectId: $projectId, kind: ANALYZE) { id status queuePosition } }`;
const TASK = `query ($id: ID!) { task(id: $id) { status attempts } }`;

let proxy: TcpProxy;
let harness: ProjectsHarness;
const owner = userIdentity(undefined, 'PRO');
let projectId: string;

beforeAll(async () => {
  const target = new URL(REDIS_URL);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
  harness = await startProjectsHarness({ REDIS_URL: `redis://127.0.0.1:${proxy.port}`, PROJECTS_INPROCESS_WORKER: 'true' }, { redis: true });
  projectId = await createProject(harness, owner, 'Queued across outages');
});
afterAll(async () => {
  await proxy?.open();
  await harness?.stop();
  await proxy?.close();
});

it.each<[string, (proxy: TcpProxy) => Promise<void> | void]>([
  // A restart shorter than ioredis's retry delay: the connection is lost and then back, with no error between.
  ['Redis back before a reconnect attempt fails', (proxy) => proxy.hold()],
  ['Redis refusing connections for a while', (proxy) => proxy.close()],
])('%s: a task submitted meanwhile answers QUEUED at once and runs exactly once when Redis is back', async (_case, cut) => {
  await cut(proxy);
  const submitted = await harness.call<{ submitTask: { id: string; status: string; queuePosition: number | null } }>(SUBMIT, { projectId }, owner);
  expect(submitted.errors).toBeUndefined();
  // Not on the queue (Redis is away), so it has no place in it yet.
  expect(submitted.data!.submitTask).toMatchObject({ status: 'QUEUED', queuePosition: null });
  await sleep(300); // long enough for ioredis to try again (and, for a refusing Redis, to fail)
  await proxy.open();

  const id = submitted.data!.submitTask.id;
  const task = await eventually(
    async () => {
      const { data } = await harness.call<{ task: { status: string; attempts: number } }>(TASK, { id }, owner);
      return data?.task.status === 'SUCCEEDED' ? data.task : undefined;
    },
    20_000,
    'the task saved during the outage to run',
  );
  expect(task).toEqual({ status: 'SUCCEEDED', attempts: 1 });
});

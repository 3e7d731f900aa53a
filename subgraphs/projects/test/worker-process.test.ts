/**
 * With Redis, tasks run in separate worker processes (`npm run worker`), as many as needed:
 * here two real worker processes share one BullMQ queue and one Postgres database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { BullTaskQueue } from '../src/queue/bullmq-queue';
import { createProject, eventually, REDIS_URL, startProjectsHarness, userIdentity, type ProjectsHarness } from './harness';

jest.setTimeout(120_000);

let harness: ProjectsHarness;
const workers: ChildProcess[] = [];
const outputs: string[] = [];

beforeAll(async () => {
  harness = await startProjectsHarness({ PROJECTS_INPROCESS_WORKER: 'false' }, { redis: true });
});
afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
  if (harness?.subgraph.queue instanceof BullTaskQueue) await harness.subgraph.queue.obliterate();
  await harness?.stop();
});

function startWorker(): Promise<ChildProcess> {
  // node with tsx's loader, not the tsx CLI: the CLI forks, and a kill would reach only the CLI.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: resolve(__dirname, '..'),
    env: {
      ...process.env,
      NODE_ENV: 'test',
      REDIS_URL,
      DATA_DIR: harness.config.dataDir,
      PROJECTS_DATABASE_URL: harness.databaseUrl,
      PROJECTS_QUEUE_PREFIX: harness.config.projects.queuePrefix,
      PROJECTS_WORKER_CONCURRENCY: '2',
      PROJECTS_WORKER_METRICS_PORT: '0',
      PROJECTS_TASK_BACKOFF_MS: '20',
      LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const index = workers.push(child) - 1;
  outputs[index] = '';
  let output = '';
  return new Promise((resolvePromise, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      outputs[index] += chunk.toString();
      if (output.includes('task worker ready')) resolvePromise(child);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${output}`)));
  });
}

it('runs submitted tasks in two separate worker processes, which stop cleanly on SIGTERM', async () => {
  await Promise.all([startWorker(), startWorker()]);
  const owner = userIdentity(undefined, 'ENTERPRISE');
  const projectId = await createProject(harness, owner, 'Distributed');
  await harness.call(
    `mutation ($id: ID!) { addFiles(projectId: $id, files: [{ path: "a.md", content: "# A\\nline" }]) { version } }`,
    { id: projectId },
    owner,
  );
  const kinds = ['BUILD', 'ANALYZE', 'TEST', 'BUILD', 'ANALYZE', 'TEST', 'BUILD', 'ANALYZE'];
  const ids: string[] = [];
  for (const kind of kinds) {
    const response = await harness.call(
      `mutation ($id: ID!, $kind: TaskKind!) { submitTask(projectId: $id, kind: $kind) { id } }`,
      { id: projectId, kind },
      owner,
    );
    expect(response.errors).toBeUndefined();
    ids.push(response.data!.submitTask.id);
  }
  await eventually(
    async () => ((await harness.db.prisma.task.count({ where: { id: { in: ids }, status: 'SUCCEEDED' } })) === ids.length ? true : undefined),
    60_000,
    'tasks to succeed',
  );
  const tasks = await harness.db.prisma.task.findMany({ where: { id: { in: ids } } });
  expect(tasks.every((task) => task.attempts === 1 && task.result !== null)).toBe(true);

  // The tasks ran in the worker processes (the subgraph runs none itself here).
  const succeededIn = outputs.map((output) => output.split('\n').filter((line) => line.includes('"task succeeded"')).length);
  expect(succeededIn[0]! + succeededIn[1]!).toBe(ids.length);
  // Each worker serves its own metrics (its ready line names where), and between them they counted every task.
  const metricsUrls = outputs.map((output) => /"metrics":"([^"]+)"/.exec(output)![1]!);
  const succeededCounts = await Promise.all(
    metricsUrls.map(async (url) => {
      const text = await (await fetch(url)).text();
      const lines = text.split('\n').filter((line) => line.startsWith('projects_tasks_total{') && line.includes('outcome="SUCCEEDED"'));
      return lines.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    }),
  );
  expect(succeededCounts[0]! + succeededCounts[1]!).toBe(ids.length);

  const exits = workers.map((worker) => new Promise<number | null>((done) => worker.on('exit', (code) => done(code))));
  for (const worker of workers) worker.kill('SIGTERM');
  expect(await Promise.all(exits)).toEqual([0, 0]);
});

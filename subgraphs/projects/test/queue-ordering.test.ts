/**
 * The fairness contract of the task queue, on both implementations with the same test body:
 * 300 tasks (100 per tier, submitted interleaved) through the real subgraph and Postgres, run
 * by one worker with concurrency 1 so the order is exact.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { quietLogger } from '@supergraph/testing';
import type { Tier } from '@supergraph/identity';
import { BullTaskQueue } from '../src/queue/bullmq-queue';
import { InProcessTaskQueue } from '../src/queue/in-process-queue';
import { weightedCycle } from '../src/queue/scheduler';
import type { QueuedJob, TaskQueue } from '../src/queue/task-queue';
import { processJob } from '../src/tasks/tasks';
import { createProject, eventually, REDIS_URL, startProjectsHarness, userIdentity, type ProjectsHarness } from './harness';

jest.setTimeout(180_000);

const TIERS: Tier[] = ['ENTERPRISE', 'PRO', 'FREE'];
const WEIGHTS = { ENTERPRISE: 6, PRO: 3, FREE: 1 };

it('spreads the 6:3:1 weights evenly over a cycle of ten dispatch slots', () => {
  expect(weightedCycle(WEIGHTS)).toEqual(['ENTERPRISE', 'PRO', 'ENTERPRISE', 'ENTERPRISE', 'PRO', 'ENTERPRISE', 'FREE', 'ENTERPRISE', 'PRO', 'ENTERPRISE']);
  expect(weightedCycle({ ENTERPRISE: 1, PRO: 1, FREE: 1 })).toEqual(['ENTERPRISE', 'PRO', 'FREE']);
});

describe.each<[string, boolean]>([
  ['in-process', false],
  ['BullMQ', true],
])('%s queue', (_name, redis) => {
  let harness: ProjectsHarness;
  beforeAll(async () => {
    harness = await startProjectsHarness(
      { PROJECTS_INPROCESS_WORKER: 'false', PROJECTS_MAX_PENDING_TASKS: '1000:1000:1000', PROJECTS_TIER_WEIGHTS: '6:3:1' },
      { redis },
    );
  });
  afterAll(async () => {
    if (harness?.subgraph.queue instanceof BullTaskQueue) await harness.subgraph.queue.obliterate();
    await harness?.stop();
  });

  it('processes 300 tasks FIFO within each tier, 6:3:1 per ten while every tier waits, and never starves FREE', async () => {
    const owners = Object.fromEntries(TIERS.map((tier) => [tier, userIdentity(undefined, tier)])) as Record<Tier, ReturnType<typeof userIdentity>>;
    const projects = {} as Record<Tier, string>;
    for (const tier of TIERS) {
      projects[tier] = await createProject(harness, owners[tier], `${tier} project`);
      await harness.call(
        `mutation ($id: ID!) { addFile(projectId: $id, path: "main.ts", content: "console.log(1)") { version } }`,
        { id: projects[tier] },
        owners[tier],
      );
    }
    const submitted: { id: string; tier: Tier }[] = [];
    for (let i = 0; i < 100; i++) {
      for (const tier of TIERS) {
        const response = await harness.call(
          `mutation ($id: ID!) { submitTask(projectId: $id, kind: BUILD) { id tier status } }`,
          { id: projects[tier] },
          owners[tier],
        );
        expect(response.errors).toBeUndefined();
        submitted.push({ id: response.data!.submitTask.id, tier: response.data!.submitTask.tier });
      }
    }
    expect(submitted.filter((task) => task.tier === 'FREE')).toHaveLength(100);

    // Before anything runs: the estimated positions follow the round-robin.
    const firstOf = (tier: Tier) => submitted.find((task) => task.tier === tier)!.id;
    const positions = await harness.call(
      `query ($e: ID!, $p: ID!, $f: ID!) { e: task(id: $e) { queuePosition } p: task(id: $p) { queuePosition } f: task(id: $f) { queuePosition } }`,
      { e: firstOf('ENTERPRISE'), p: firstOf('PRO'), f: firstOf('FREE') },
      userIdentity(undefined, 'FREE', ['USER', 'ADMIN']),
    );
    expect(positions.data).toEqual({ e: { queuePosition: 1 }, p: { queuePosition: 2 }, f: { queuePosition: 7 } });

    const env = { prisma: harness.subgraph.database.prisma, limits: harness.config.projects, queue: harness.subgraph.queue };
    const order: QueuedJob[] = [];
    const worker = harness.subgraph.queue.process(
      async (job) => {
        order.push(job);
        await processJob(env, job, quietLogger('worker'));
      },
      { concurrency: 1, pollMs: 20 },
    );
    try {
      await eventually(
        async () => ((await harness.db.prisma.task.count({ where: { status: 'SUCCEEDED' } })) === 300 ? true : undefined),
        150_000,
        '300 tasks to succeed',
      );
    } finally {
      await worker.stop();
    }
    const tiers = order.map((job) => job.tier);
    expect(tiers).toHaveLength(300);

    // FIFO within each tier: each tier's tasks ran in the order they were submitted.
    for (const tier of TIERS) {
      expect(order.filter((job) => job.tier === tier).map((job) => job.taskId)).toEqual(submitted.filter((task) => task.tier === tier).map((task) => task.id));
    }
    const windows = Array.from({ length: 30 }, (_, w) => tiers.slice(w * 10, w * 10 + 10));
    const count = (window: Tier[], tier: Tier) => window.filter((t) => t === tier).length;
    // While all three tiers wait (the first 160 dispatches), every window of ten is exactly 6:3:1.
    for (const window of windows.slice(0, 16)) {
      expect([count(window, 'ENTERPRISE'), count(window, 'PRO'), count(window, 'FREE')]).toEqual([6, 3, 1]);
    }
    // Higher tiers first: ENTERPRISE finishes before PRO, PRO before FREE.
    const last = (tier: Tier) => tiers.lastIndexOf(tier);
    expect(last('ENTERPRISE')).toBeLessThan(last('PRO'));
    expect(last('PRO')).toBeLessThan(last('FREE'));
    // FREE is never starved: at least one FREE task in every window of ten, from the first to the last.
    for (const window of windows) expect(count(window, 'FREE')).toBeGreaterThanOrEqual(1);
    // Nothing ran twice and each attempt was the first.
    expect(new Set(order.map((job) => job.taskId)).size).toBe(300);
    expect(order.every((job) => job.attempt === 1)).toBe(true);
  });
});

describe.each<[string, () => TaskQueue]>([
  ['in-process', () => new InProcessTaskQueue({ weights: WEIGHTS, caps: { ENTERPRISE: 2, PRO: 1, FREE: 1 } })],
  [
    'BullMQ',
    () =>
      new BullTaskQueue({ redisUrl: REDIS_URL, prefix: `test-caps-${process.pid}-${Date.now()}`, weights: WEIGHTS, caps: { ENTERPRISE: 2, PRO: 1, FREE: 1 } }),
  ],
])('%s queue mechanics', (_name, create) => {
  let queue: TaskQueue;
  beforeEach(() => {
    queue = create();
  });
  afterEach(async () => {
    if (queue instanceof BullTaskQueue) await queue.obliterate();
    await queue.close();
  });

  const job = (n: number, tier: Tier): QueuedJob => ({ taskId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, tier, attempt: 1 });

  it('caps the tasks of each tier running at once, across all worker slots', async () => {
    for (let i = 0; i < 12; i++) await queue.enqueue(job(i, TIERS[i % 3]!));
    const running: Record<Tier, number> = { ENTERPRISE: 0, PRO: 0, FREE: 0 };
    const peak: Record<Tier, number> = { ENTERPRISE: 0, PRO: 0, FREE: 0 };
    let done = 0;
    const worker = queue.process(
      async ({ tier }) => {
        peak[tier] = Math.max(peak[tier], ++running[tier]);
        await sleep(40);
        running[tier]--;
        done++;
      },
      { concurrency: 6, pollMs: 10 },
    );
    await eventually(async () => (done === 12 ? true : undefined), 20_000, 'all jobs');
    await worker.stop();
    expect(peak).toEqual({ ENTERPRISE: 2, PRO: 1, FREE: 1 });
  });

  it('removes a waiting job, delays a retry, and reports what it could not remove', async () => {
    await queue.enqueue(job(1, 'PRO'));
    await queue.enqueue(job(2, 'PRO'));
    await queue.enqueue(job(3, 'FREE'), { delayMs: 300 });
    expect(await queue.remove(job(1, 'PRO'))).toBe(true);
    expect(await queue.remove(job(1, 'PRO'))).toBe(false);
    expect(await queue.remove(job(9, 'FREE'))).toBe(false);
    const seen: { id: string; at: number }[] = [];
    const started = Date.now();
    const worker = queue.process(async (queued) => void seen.push({ id: queued.taskId, at: Date.now() - started }), { concurrency: 1, pollMs: 10 });
    await eventually(async () => (seen.length === 2 ? true : undefined), 10_000, 'two jobs');
    await worker.stop();
    expect(seen.map((entry) => entry.id)).toEqual([job(2, 'PRO').taskId, job(3, 'FREE').taskId]);
    expect(seen[1]!.at).toBeGreaterThanOrEqual(250);
  });
});

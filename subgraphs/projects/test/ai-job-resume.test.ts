import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { asRouter, quietLogger } from '@supergraph/testing';
import { processJob, queuedJob, queueTask, type TaskEnv } from '../src/tasks/tasks';
import { eventually, startProjectsHarness, userIdentity, type ProjectsHarness } from './harness';

/**
 * `aiJobUpdated` resumes the way every bus-fed subscription does: each change it sends carries its
 * position in `extensions.position`, and a client whose connection dropped subscribes again with
 * `after` set to the last one it saw: it gets the changes since, none twice, then the end.
 */
let harness: ProjectsHarness;
beforeAll(async () => {
  // No worker: the test runs the job's attempt itself, one step at a time.
  harness = await startProjectsHarness({ PROJECTS_INPROCESS_WORKER: 'false' });
});
afterAll(() => harness?.stop());

const AI_JOB_UPDATED = 'subscription ($id: ID!, $after: String) { aiJobUpdated(id: $id, after: $after) { id status progress result } }';

interface Change {
  id: string;
  status: string;
  progress: number | null;
  result: unknown;
  /** Where the change sits on the event bus; none for the job's state sent at subscribe time. */
  position: string | undefined;
}

/** One client following the job over graphql-ws, as the router would. */
function follow(id: string, owner: ReturnType<typeof userIdentity>, after?: string) {
  const headers = asRouter(owner, harness.config.routerSigningSecret);
  const client = createClient({ url: harness.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { headers }, retryAttempts: 0 });
  const changes: Change[] = [];
  const errors: unknown[] = [];
  let completed = false;
  client.subscribe<{ aiJobUpdated: Omit<Change, 'position'> }, { position?: string }>(
    { query: AI_JOB_UPDATED, variables: { id, after: after ?? null } },
    {
      next: (result) => void (result.data ? changes.push({ ...result.data.aiJobUpdated, position: result.extensions?.position }) : errors.push(result.errors)),
      error: (error) => void errors.push(error),
      complete: () => void (completed = true),
    },
  );
  return {
    changes,
    errors,
    completed: () => completed,
    /** The connection drops, as a network failure drops it. */
    drop: () => client.terminate(),
    dispose: () => client.dispose(),
  };
}

/** A job whose attempt reports progress in steps, each waiting for the test to let it go on. */
function steppedJob(steps: number[]) {
  const gates: (() => void)[] = [];
  let waiting = () => {};
  const handler = async ({ reportProgress }: { reportProgress(progress: number): Promise<void> }) => {
    for (const progress of steps) {
      await reportProgress(progress);
      await new Promise<void>((resolve) => (gates.push(resolve), waiting()));
    }
    return { vectors: steps.length };
  };
  return {
    handler,
    /** Lets the job go past its current step. */
    next: async () => {
      if (gates.length === 0) await new Promise<void>((resolve) => (waiting = resolve));
      gates.shift()!();
    },
  };
}

test('a client dropped mid-job resumes after the last position it saw: every change since, once, then the end; resuming after the end gets the final state', async () => {
  const owner = userIdentity(undefined, 'PRO');
  const job = steppedJob([0.25, 0.5, 0.75]);
  const env: TaskEnv = {
    prisma: harness.subgraph.database.prisma,
    limits: harness.config.projects,
    queue: harness.subgraph.queue,
    handlers: { AI_EMBED_BATCH: job.handler },
  };
  const task = await queueTask(env, owner, { projectId: null, kind: 'AI_EMBED_BATCH', input: { texts: ['a'] } });

  // Its QUEUED event relayed first, so that the changes followed below are the attempt's alone.
  const unpublished = () => harness.subgraph.database.sql.query('SELECT id FROM outbox_events WHERE published_at IS NULL');
  await eventually(async () => ((await unpublished()).length === 0 ? true : undefined), 10_000, 'the outbox to be relayed');

  const witness = follow(task.id, owner);
  const dropped = follow(task.id, owner);
  const resumed: ReturnType<typeof follow>[] = [];
  try {
    await eventually(async () => (witness.changes.length > 0 && dropped.changes.length > 0 ? true : undefined), 10_000, 'the state at subscribe time');
    const attempt = processJob(env, queuedJob(task), quietLogger('projects'));
    await eventually(async () => (dropped.changes.some((change) => change.progress === 0.25) ? true : undefined), 10_000, 'the first progress');
    dropped.drop();
    const lastSeen = dropped.changes.at(-1)!.position!;

    await job.next(); // 0.5, while the client is away
    await job.next(); // 0.75
    await eventually(async () => (witness.changes.some((change) => change.progress === 0.75) ? true : undefined), 10_000, 'the changes made meanwhile');
    resumed.push(follow(task.id, owner, lastSeen));
    await eventually(async () => (resumed[0]!.changes.length >= 2 ? true : undefined), 10_000, 'the missed changes');
    await job.next(); // the end
    await attempt;
    await eventually(async () => (witness.completed() && resumed[0]!.completed() ? true : undefined), 10_000, 'both subscriptions to complete');

    // The state sent at subscribe time has no position; every change after it has its own.
    expect(witness.changes[0]).toMatchObject({ status: 'QUEUED', position: undefined });
    const changes = witness.changes.slice(1);
    expect(changes.map((change) => [change.status, change.progress])).toEqual([
      ['RUNNING', null],
      ['RUNNING', 0.25],
      ['RUNNING', 0.5],
      ['RUNNING', 0.75],
      ['SUCCEEDED', 0.75],
    ]);
    expect(new Set(changes.map((change) => change.position)).size).toBe(changes.length);
    // The resumed client sees exactly what an undisturbed one saw after its position.
    const since = changes.slice(changes.findIndex((change) => change.position === lastSeen) + 1);
    expect(resumed[0]!.changes).toEqual(since);
    expect(since.at(-1)).toMatchObject({ status: 'SUCCEEDED', result: { vectors: 3 } });
    expect([witness.errors, resumed[0]!.errors]).toEqual([[], []]);

    // A client whose connection dropped after the last change, before the subscription completed:
    // the job has ended, so it gets the final state and the end, not a wait for a change that never comes.
    resumed.push(follow(task.id, owner, changes.at(-1)!.position));
    await eventually(async () => (resumed[1]!.completed() ? true : undefined), 10_000, 'the resumed subscription of an ended job to complete');
    expect(resumed[1]!.changes).toEqual([{ id: task.id, status: 'SUCCEEDED', progress: 0.75, result: { vectors: 3 }, position: undefined }]);
    expect(resumed[1]!.errors).toEqual([]);
  } finally {
    await Promise.all([witness, dropped, ...resumed].map((client) => client.dispose()));
  }
});

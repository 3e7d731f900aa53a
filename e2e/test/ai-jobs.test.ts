import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { SERVICE } from '@supergraph/identity';
import { asRouter, bearer, errorCodes, freePort, graphql, startTaskWorkerProcess, type RestartableProcess, type UntypedData } from '@supergraph/testing';
import { startUsersHarness } from '@supergraph/users/test/harness';
import { BullTaskQueue } from '@supergraph/projects/src/queue/bullmq-queue';
import type { ProjectsSubgraph } from '@supergraph/projects/src/app';
import { signUp } from './accounts';
import { TestStack } from './stack';

/**
 * AI jobs through the real router: submitted by users on the projects subgraph's tier queue
 * (BullMQ on Redis), run by a separate task worker process that has the Python AI subgraph do the
 * work, and followed over graphql-ws.
 */
jest.setTimeout(240_000);

const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
const ADMIN = 'admin@example.com';
const stack = new TestStack();
let url: string;
let aiUrl: string;
let projects: ProjectsSubgraph;
let workerEnv: Record<string, string>;
let worker: RestartableProcess | undefined;
let secret: string;

beforeAll(async () => {
  const users = await stack.add(startUsersHarness({ ADMIN_EMAILS: ADMIN }));
  secret = users.config.routerSigningSecret;
  // The AI subgraph follows the projects subgraph's feed (for REINDEX_PROJECTS) and the projects
  // subgraph calls the AI subgraph (for jobs): the projects port is chosen first.
  const projectsPort = await freePort();
  aiUrl = await stack.aiFollowing(`http://127.0.0.1:${projectsPort}/graphql`, secret);
  const database = await stack.database('e2e_ai_jobs');
  const dataDir = mkdtempSync(join(tmpdir(), 'ai-jobs-worker-'));
  stack.defer(() => rmSync(dataDir, { recursive: true, force: true }));
  workerEnv = {
    REDIS_URL,
    PROJECTS_QUEUE_PREFIX: `test-${randomUUID().slice(0, 8)}`,
    PROJECTS_DATABASE_URL: database.url,
    AI_URL: aiUrl,
    // A killed worker's job is handed out again within seconds, not the default minute.
    PROJECTS_TASK_LOCK_MS: '2000',
  };
  projects = await stack.projects({ ...workerEnv, PROJECTS_PORT: String(projectsPort), PROJECTS_INPROCESS_WORKER: 'false' });
  stack.defer(async () => {
    if (projects.queue instanceof BullTaskQueue) await projects.queue.obliterate();
  });
  Object.assign(workerEnv, { DATA_DIR: dataDir, ROUTER_SIGNING_SECRET: secret });
  ({ url } = await stack.router({ users: users.url, projects: `${projects.url}/graphql`, ai: aiUrl }, { ADMIN_EMAILS: ADMIN }));
});
afterAll(async () => {
  await worker?.stop();
  await stack.stop();
});

/** `npm run worker` in a process of its own, one job at a time, that a test can kill and start again. */
function startWorker(): Promise<RestartableProcess> {
  return startTaskWorkerProcess({ ...workerEnv, PROJECTS_WORKER_CONCURRENCY: '1' });
}

async function call(query: string, variables: Record<string, unknown>, token: string) {
  return graphql<UntypedData>(url, query, variables, bearer(token));
}

/** A signed-in user at `tier`, set by the admin before the user's first request. */
async function userAt(email: string, tier: 'FREE' | 'PRO' | 'ENTERPRISE'): Promise<string> {
  const password = 'correct horse battery';
  const registered = await graphql<UntypedData>(
    url,
    'mutation ($email: String!, $password: String!) { register(email: $email, password: $password) { token user { id } } }',
    {
      email,
      password,
    },
  );
  expect(registered.errors).toBeUndefined();
  if (tier === 'FREE') return registered.data!.register.token as string;
  const set = await call(
    'mutation ($id: ID!, $tier: Tier!) { setUserTier(userId: $id, tier: $tier) { tier } }',
    { id: registered.data!.register.user.id, tier },
    await adminToken(),
  );
  expect(set.errors).toBeUndefined();
  const login = await graphql<UntypedData>(url, 'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }', {
    email,
    password,
  });
  return login.data!.login.token as string;
}

let admin: string | undefined;
async function adminToken(): Promise<string> {
  admin ??= await signUp(url, ADMIN);
  return admin;
}

const SUBMIT = 'mutation ($kind: AiJobKind!, $input: JSONObject!) { submitAiJob(kind: $kind, input: $input) { id kind status tier progress project { id } } }';
const STATE = 'id status tier attempts progress error startedAt finishedAt';
const JOB = `query ($id: ID!) { task(id: $id) { ${STATE} } }`;
const FINISHED_JOB = `query ($id: ID!) { task(id: $id) { ${STATE} result } }`;

async function submit(token: string, kind: string, input: Record<string, unknown>): Promise<string> {
  const response = await call(SUBMIT, { kind, input }, token);
  expect(response.errors).toBeUndefined();
  return response.data!.submitAiJob.id as string;
}

/** The job's state; with its result (which can be large) once `finished`. */
async function job(id: string, token: string, finished = false): Promise<UntypedData> {
  const response = await call(finished ? FINISHED_JOB : JOB, { id }, token);
  expect(response.errors).toBeUndefined();
  return response.data!.task as UntypedData;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every aiJobUpdated of the job, over graphql-ws through the router, until the stream ends with the job. */
async function followJob(id: string, token: string): Promise<UntypedData[]> {
  const client = createClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: bearer(token), retryAttempts: 0 });
  const updates: UntypedData[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      client.subscribe<UntypedData>(
        { query: 'subscription ($id: ID!) { aiJobUpdated(id: $id) { id status progress attempts result } }', variables: { id } },
        {
          next: (message) => (message.errors ? reject(new Error(JSON.stringify(message.errors))) : updates.push(message.data!.aiJobUpdated as UntypedData)),
          error: reject,
          complete: resolve,
        },
      );
    });
  } finally {
    await client.dispose();
  }
  return updates;
}

const texts = (label: string, count: number) => Array.from({ length: count }, (_, i) => `${label} sentence ${i}: jobs queue by tier and run once`);

async function aiJobRuns(kind: string): Promise<number> {
  const text = await (await fetch(aiUrl.replace(/\/graphql$/, '/metrics'), { headers: asRouter(SERVICE, secret) })).text();
  const line = text.split('\n').find((row) => row.startsWith(`ai_job_runs_total{kind="${kind}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

test('a job is refused before it is queued when its input, kind or caller is wrong', async () => {
  const token = await userAt('refused@example.com', 'FREE');
  const bad = await call(SUBMIT, { kind: 'EMBED_BATCH', input: { texts: ['fine', ' '] } }, token);
  expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
  expect(bad.errors![0]!.extensions!.field).toBe('input.texts[1]');
  // Rebuilding the index is an operator's job.
  expect(errorCodes(await call(SUBMIT, { kind: 'REINDEX_PROJECTS', input: {} }, token))).toEqual(['FORBIDDEN']);
  // AI kinds are not project tasks.
  const project = await call('mutation { createProject(name: "Jobs") { id } }', {}, token);
  const asTask = await call('mutation ($id: ID!) { submitTask(projectId: $id, kind: AI_GENERATE) { id } }', { id: project.data!.createProject.id }, token);
  expect(errorCodes(asTask)).toEqual(['BAD_USER_INPUT']);
});

test("a higher tier's job overtakes a lower tier's jobs queued before it", async () => {
  const free = await userAt('free@example.com', 'FREE');
  const enterprise = await userAt('enterprise@example.com', 'ENTERPRISE');
  // No worker runs yet: all three wait on the queue.
  const first = await submit(free, 'EMBED_BATCH', { texts: texts('free one', 3) });
  const second = await submit(free, 'EMBED_BATCH', { texts: texts('free two', 3) });
  const paid = await submit(enterprise, 'EMBED_BATCH', { texts: texts('enterprise', 3) });
  expect((await job(paid, enterprise)).tier).toBe('ENTERPRISE');

  worker = await startWorker();
  await until(
    () => Promise.all([job(first, free), job(second, free), job(paid, enterprise)]),
    (jobs) => jobs.every((each) => each.status === 'SUCCEEDED'),
    'the three jobs to succeed',
  );
  const done = await Promise.all([job(first, free, true), job(second, free, true), job(paid, enterprise, true)]);
  const started = done.map((each) => Date.parse(each.startedAt as string));
  // One job at a time: the ENTERPRISE job, submitted last, ran before at least the later FREE one.
  expect(started[2]).toBeLessThan(started[1]!);
  expect(done.map((each) => (each.result as { count: number }).count)).toEqual([3, 3, 3]);
});

test('a batch embedding followed over graphql-ws through the router reaches SUCCEEDED with its result', async () => {
  const token = await userAt('follower@example.com', 'PRO');
  worker ??= await startWorker();
  const input = texts('followed', 300);
  const id = await submit(token, 'EMBED_BATCH', { texts: input });

  const updates = await followJob(id, token);

  // The stream ends with the job: the last update is SUCCEEDED with the whole result, and progress only grew.
  const last = updates.at(-1)!;
  expect(last).toMatchObject({ id, status: 'SUCCEEDED', progress: 1, attempts: 1 });
  expect(updates.slice(0, -1).every((update) => update.status === 'QUEUED' || update.status === 'RUNNING')).toBe(true);
  const progress = updates.map((update) => (update.progress as number | null) ?? 0);
  expect(progress).toEqual([...progress].sort((a, b) => a - b));
  const result = last.result as { count: number; dimensions: number; encoding: string; vectors: string[] };
  expect(result).toMatchObject({ count: 300, dimensions: 384, encoding: 'base64-float32le' });
  expect(result.vectors).toHaveLength(300);
  // The same vectors as the AI subgraph's own embed field gives through the router.
  const direct = await call('query ($texts: [String!]!) { embed(texts: $texts) { vectors } }', { texts: input.slice(0, 2) }, token);
  const expected = direct.data!.embed.vectors as number[][];
  expected.forEach((vector, row) => {
    const bytes = Buffer.from(result.vectors[row]!, 'base64');
    const decoded = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    vector.forEach((value, column) => expect(decoded[column]).toBeCloseTo(value, 5));
  });

  // Someone else's job cannot be followed.
  const stranger = await userAt('stranger@example.com', 'FREE');
  const other = createClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: bearer(stranger), retryAttempts: 0 });
  const refused = await new Promise<unknown>((resolve) => {
    other.subscribe(
      { query: 'subscription ($id: ID!) { aiJobUpdated(id: $id) { id } }', variables: { id } },
      { next: resolve, error: resolve, complete: () => resolve(null) },
    );
  });
  await other.dispose();
  expect(JSON.stringify(refused)).toContain('NOT_FOUND');
});

test('a worker killed in the middle of a job is replaced and the job completes exactly once', async () => {
  const token = await userAt('survivor@example.com', 'ENTERPRISE');
  worker ??= await startWorker();
  const before = await aiJobRuns('EMBED_BATCH');
  // The largest batch: 16 model calls of 64 texts, each a step of progress, seconds in all.
  const id = await submit(token, 'EMBED_BATCH', { texts: texts('survivor', 1000) });

  await until(
    () => job(id, token),
    (state) => state.status === 'RUNNING' && ((state.progress as number | null) ?? 0) > 0 && (state.progress as number) < 1,
    'the job to be under way',
  );
  await worker.kill();
  expect((await job(id, token)).status).toBe('RUNNING'); // nobody finishes it for the dead worker
  await worker.restart();

  await until(
    () => job(id, token),
    (state) => state.status !== 'RUNNING' && state.status !== 'QUEUED',
    'the job to finish',
  );
  const done = await job(id, token, true);
  expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 1, progress: 1, error: null });
  expect(done.result).toMatchObject({ count: 1000, distinct: 1000 });
  // The new worker joined the AI subgraph's run of this attempt instead of starting the work again.
  expect((await aiJobRuns('EMBED_BATCH')) - before).toBe(1);
});

test('an admin backfills the project index as a job', async () => {
  const token = await adminToken();
  worker ??= await startWorker();
  await call('mutation { createProject(name: "Indexed by a job", description: "Backfill the search index", visibility: PUBLIC) { id } }', {}, token);
  const id = await submit(token, 'REINDEX_PROJECTS', {});
  await until(
    () => job(id, token),
    (state) => state.status === 'SUCCEEDED' || state.status === 'FAILED',
    'the reindex job to finish',
  );
  const done = await job(id, token, true);
  expect(done).toMatchObject({ status: 'SUCCEEDED', progress: 1 });
  expect((done.result as { indexed: number }).indexed).toBeGreaterThanOrEqual(2); // this project and the refusal test's
});

test('an admin retrains the price forecaster as a job, and the next forecast comes from the new model', async () => {
  const user = await userAt('forecaster@example.com', 'ENTERPRISE');
  // Replacing the served model is an operator's job.
  expect(errorCodes(await call(SUBMIT, { kind: 'RETRAIN_FORECAST', input: {} }, user))).toEqual(['FORBIDDEN']);

  const token = await adminToken();
  worker ??= await startWorker();
  const FORECAST = 'query { priceForecast(asset: "MSFT", horizon: 2) { modelVersion } }';
  const before = await call(FORECAST, {}, user);
  expect(before.errors).toBeUndefined();
  const served = before.data!.priceForecast.modelVersion as string;

  // Without the backtest, whose figures only feed the gauges: the training itself is the same.
  const id = await submit(token, 'RETRAIN_FORECAST', { backtest: false });
  const updates = await followJob(id, token);
  const last = updates.at(-1)!;
  expect(last).toMatchObject({ id, status: 'SUCCEEDED', progress: 1 });
  const result = last.result as { modelVersion: string; previousVersion: string; series: string[] };
  expect(result.previousVersion).toBe(served);
  expect(result.modelVersion).not.toBe(served);
  expect(result.series).toContain('MSFT');

  // The AI subgraph was not restarted, and its cached forecast of the old model is not served again.
  const after = await call(FORECAST, {}, user);
  expect(after.errors).toBeUndefined();
  expect(after.data!.priceForecast.modelVersion).toBe(result.modelVersion);
});

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPaymentsHarness, type PaymentsHarness } from '@supergraph/payments/test/harness';
import { startTracing } from '@supergraph/server';
import { bearer, graphql, sample, scrape, startOtlpCollector, type CollectedSpan, type OtlpCollector, type Scrape } from '@supergraph/testing';
import { signUp } from './accounts';
import { startAiSubgraph } from './python-subgraph';
import { TestStack } from './stack';

/**
 * Watching the whole supergraph (issue 15): every service serves /metrics, and after real operations
 * through the real router each one's domain metrics have moved; one router request is one trace, with
 * spans from the router and the subgraphs it reached, the Python one (another process) included, and
 * the trace goes on into a queued task and into a call from one subgraph to another.
 *
 * The TypeScript services run in this process (one tracer provider, so their spans all carry one
 * service.name: they are told apart by span name, `subgraph <name>`); the AI subgraph is a process of its own.
 */
jest.setTimeout(180_000);

const ADMIN = 'admin@example.com';
const METRICS_TOKEN = 'observability-test-metrics-token';

const stack = new TestStack();
let collector: OtlpCollector;
let payments: PaymentsHarness;
let projectsUrl: string;
let aiUrl: string;
let routerUrl: string;
let token: string;

beforeAll(async () => {
  collector = await stack.add(startOtlpCollector());
  const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url };
  payments = await stack.add(startPaymentsHarness({ env: { ...tracing, ADMIN_EMAILS: ADMIN } }));
  const projects = await stack.projects(tracing);
  projectsUrl = projects.url;
  const aiData = mkdtempSync(join(tmpdir(), 'ai-observability-'));
  stack.defer(() => rmSync(aiData, { recursive: true, force: true }));
  const ai = await stack.add(
    startAiSubgraph(payments.config.routerSigningSecret, {
      AI_DATA_DIR: aiData,
      AI_PROJECTS_URL: `${projects.url}/graphql`,
      AI_INDEX_POLL_SECONDS: '0.2',
      AI_METRICS_TOKEN: METRICS_TOKEN,
      REDIS_URL: '',
      ...tracing,
      // The Python SDK's batch exporter waits 5 s by default before it sends.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    }),
  );
  aiUrl = ai.url.replace(/\/graphql$/, '');
  const router = await stack.router(
    { users: `${payments.users.url}/graphql`, projects: `${projects.url}/graphql`, payments: payments.url, ai: ai.url },
    tracing,
  );
  routerUrl = router.url;
  token = await signUp(routerUrl, ADMIN);
});
afterAll(() => stack.stop());

const call = async <T>(query: string, variables: Record<string, unknown> = {}, headers = bearer(token)) => {
  const response = await graphql<T>(routerUrl, query, variables, headers);
  expect(response.errors).toBeUndefined();
  return response.data!;
};

/** Asks `read` until `done` holds (the relay, the task worker and the exporters work on their own schedule). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const metricsOf = {
  router: () => scrape(routerUrl.replace(/\/graphql$/, '/metrics')),
  users: () => scrape(`${payments.users.url}/metrics`),
  projects: () => scrape(`${projectsUrl}/metrics`),
  payments: () => scrape(payments.url.replace(/\/graphql$/, '/metrics')),
  ai: () => scrape(`${aiUrl}/metrics`, { authorization: `Bearer ${METRICS_TOKEN}` }),
};

async function newProject(name: string): Promise<string> {
  const { createProject } = await call<{ createProject: { id: string } }>('mutation ($name: String!) { createProject(name: $name) { id } }', { name });
  await call('mutation ($id: ID!) { addFiles(projectId: $id, files: [{ path: "README.md", content: "# Hello" }]) { id } }', { id: createProject.id });
  return createProject.id;
}

/** Submits a BUILD of the project and waits until the task worker has run it. */
async function buildToSuccess(projectId: string, headers: Record<string, string> = {}): Promise<void> {
  const submit = 'mutation ($id: ID!) { submitTask(projectId: $id, kind: BUILD) { id } }';
  const { submitTask } = await call<{ submitTask: { id: string } }>(submit, { id: projectId }, { ...bearer(token), ...headers });
  const status = async () => (await call<{ task: { status: string } }>('query ($id: ID!) { task(id: $id) { status } }', { id: submitTask.id })).task.status;
  await eventually(status, (now) => now === 'SUCCEEDED', 'the task to succeed');
}

describe('every service’s /metrics after real operations through the router', () => {
  it('users: sign-ins by method, refusals by reason, and what every service exports', async () => {
    const before = await metricsOf.users();
    const login = 'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }';
    const refused = await graphql(routerUrl, login, { email: ADMIN, password: 'not the password' });
    expect(refused.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    await call(login, { email: ADMIN, password: 'correct horse battery' }, {});
    const after = await metricsOf.users();
    const moved = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(moved('users_sign_ins_total', { method: 'password' })).toBe(1);
    expect(moved('users_sign_in_refusals_total', { method: 'password', reason: 'INVALID_CREDENTIALS' })).toBe(1);
    expect(moved('subgraph_errors_total', { code: 'INVALID_CREDENTIALS' })).toBe(1);
    expect(moved('subgraph_resolver_duration_seconds_count', { field: 'Mutation.login' })).toBe(2);
    expect(moved('subgraph_db_query_duration_seconds_count', { statement: 'select' })).toBeGreaterThan(0);
    expect(sample(after, 'subgraph_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    expect(sample(after, 'users_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('projects: the queue by tier and task outcomes', async () => {
    const before = await metricsOf.projects();
    await buildToSuccess(await newProject('Observed'));
    const after = await metricsOf.projects();
    const moved = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(moved('projects_tasks_total', { outcome: 'SUCCEEDED', kind: 'BUILD' })).toBe(1);
    expect(moved('projects_queue_wait_seconds_count', { tier: 'FREE' })).toBe(1);
    // Nothing waits now: the depth is read from the tasks table at each scrape, per tier.
    const depth = [...after].filter(([series]) => series.startsWith('projects_queue_depth{'));
    expect(depth.map(([series, value]) => [/tier="(\w+)"/.exec(series)![1], value]).sort()).toEqual([
      ['ENTERPRISE', 0],
      ['FREE', 0],
      ['PRO', 0],
    ]);
    expect(moved('subgraph_requests_total', { outcome: 'success' })).toBeGreaterThanOrEqual(3);
    // Every task update went through the outbox, and the relay has published them all: QUEUED, RUNNING, SUCCEEDED.
    const published = (scrape: Scrape) => sample(scrape, 'subgraph_events_published_total', { channel: 'projects.taskUpdated' });
    const drained = await eventually(
      () => metricsOf.projects(),
      (now) => sample(now, 'outbox_lag_seconds') === 0 && published(now) - published(before) >= 3,
      'the outbox to publish the task’s changes',
    );
    expect(published(drained) - published(before)).toBe(3);
  });

  it('payments: outcomes by method and status, saga steps, refused webhooks', async () => {
    const before = await metricsOf.payments();
    await call('mutation ($key: String!) { createPayment(amount: "1999", currency: "USD", idempotencyKey: $key) { status } }', { key: randomUUID() });
    await call(
      'mutation ($key: String!) { createPayment(amount: "1999", currency: "USD", idempotencyKey: $key, paymentMethod: "pm_card_chargeDeclined") { status } }',
      {
        key: randomUUID(),
      },
    );
    const upgrade = await call<{ upgradePlan: { status: string } }>('mutation ($key: String!) { upgradePlan(tier: PRO, idempotencyKey: $key) { status } }', {
      key: randomUUID(),
    });
    expect(upgrade.upgradePlan.status).toBe('COMPLETED');
    const forged = await fetch(payments.url.replace(/\/graphql$/, '/webhooks/stripe'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=forged' },
      body: JSON.stringify({ id: 'evt_forged', type: 'payment_intent.succeeded' }),
    });
    expect(forged.status).toBe(400);

    const after = await eventually(
      () => metricsOf.payments(),
      (now) => sample(now, 'payments_processed_total') - sample(before, 'payments_processed_total') >= 3,
      'the outbox to publish the payments',
    );
    const moved = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    // Two card payments succeeded (one of them the plan's charge), one was declined.
    expect(moved('payments_processed_total', { method: 'FIAT', status: 'SUCCEEDED' })).toBe(2);
    expect(moved('payments_processed_total', { method: 'FIAT', status: 'FAILED' })).toBe(1);
    expect(['CHARGED', 'TIER_SET', 'CONFIRMED'].map((step) => moved('payments_saga_steps_total', { saga: 'upgradePlan', step }))).toEqual([1, 1, 1]);
    expect(moved('payments_saga_compensations_total')).toBe(0);
    expect(moved('payments_webhook_verification_failures_total')).toBe(1);
  });

  it('ai: model latency and batch sizes, training figures as gauges', async () => {
    const before = await metricsOf.ai();
    const { me } = await call<{ me: { leadScore: { score: number } } }>('{ me { leadScore { score } } }');
    expect(me.leadScore.score).toBeGreaterThanOrEqual(0);
    const after = await metricsOf.ai();
    const moved = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(moved('ai_inference_batch_size_count', { operation: 'lead_score' })).toBe(1);
    expect(moved('ai_inference_latency_seconds_count', { operation: 'lead_score' })).toBe(1);
    const auc = [...after].filter(([series]) => series.startsWith('ai_model_quality{') && series.includes('metric="auc"'));
    expect(auc.length).toBeGreaterThanOrEqual(2);
    for (const [, value] of auc) expect(value).toBeGreaterThan(0.5);
  });

  it('router: requests and per-subgraph fetches', async () => {
    const after: Scrape = await metricsOf.router();
    for (const subgraph of ['users', 'projects', 'payments', 'ai'])
      expect(sample(after, 'router_subgraph_fetch_duration_seconds_count', { subgraph })).toBeGreaterThan(0);
    expect(sample(after, 'router_requests_total', { outcome: 'success' })).toBeGreaterThan(0);
  });
});

describe('one trace across processes', () => {
  /**
   * The spans the collector has once `done` holds of them, or after 30 s (the assertions then say
   * what is missing). This process's spans are flushed at each look: the exporter may be sending a
   * batch of its own while a flush runs, and the AI subgraph sends on its own schedule.
   */
  async function collected(done: (spans: CollectedSpan[]) => boolean): Promise<CollectedSpan[]> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      await startTracing('unused', 'unused').flush();
      if (done(collector.spans) || Date.now() > deadline) return collector.spans;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * The client starts each trace (a W3C traceparent of its own, which the router continues), so a
   * test tells its spans from those of earlier requests still arriving.
   */
  function newTrace(): { traceparent: string; spans(all: CollectedSpan[]): CollectedSpan[] } {
    const traceId = randomBytes(16).toString('hex');
    return { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`, spans: (all) => all.filter((span) => span.traceId === traceId) };
  }

  const parentOf = (trace: CollectedSpan[], name: string) => {
    const span = trace.find((candidate) => candidate.name === name);
    return trace.find((candidate) => candidate.spanId === span?.parentSpanId)?.name;
  };

  it('one router request: spans from the router and from users, projects, payments and ai (its own process), each under the router’s fetch', async () => {
    const request = newTrace();
    await call('{ me { email projects { name } payments { status } leadScore { score } } }', {}, { ...bearer(token), traceparent: request.traceparent });
    const subgraphs = ['users', 'projects', 'payments', 'ai'];
    const trace = request.spans(await collected((all) => subgraphs.every((name) => request.spans(all).some((span) => span.name === `subgraph ${name}`))));
    expect(trace.filter((span) => span.name === 'router /graphql')).toHaveLength(1);
    expect(subgraphs.map((name) => [name, parentOf(trace, `subgraph ${name}`)])).toEqual(subgraphs.map((name) => [name, 'router.fetch']));
    expect(trace.find((span) => span.name === 'subgraph ai')!.service).toBe('ai');
  });

  it('goes on into a queued task, run by the worker after the request has been answered', async () => {
    const projectId = await newProject('Traced task');
    const request = newTrace();
    await buildToSuccess(projectId, { traceparent: request.traceparent });
    const trace = request.spans(await collected((all) => request.spans(all).some((span) => span.name === 'projects.task')));
    expect(trace.map((span) => span.name)).toEqual(expect.arrayContaining(['router /graphql', 'subgraph projects', 'projects.task']));
    expect(parentOf(trace, 'projects.task')).toBe('subgraph projects');
  });

  it('goes on into a call from one subgraph to another: payments setting the tier in users', async () => {
    const other = await signUp(routerUrl, `${randomUUID()}@example.com`);
    const request = newTrace();
    await call(
      'mutation ($key: String!) { upgradePlan(tier: PRO, idempotencyKey: $key) { status } }',
      { key: randomUUID() },
      { ...bearer(other), traceparent: request.traceparent },
    );
    const trace = request.spans(
      await collected((all) => ['subgraph users', 'subgraph payments'].every((name) => request.spans(all).some((span) => span.name === name))),
    );
    // Called by payments itself, not through the router: the users span's parent is the payments request's span…
    expect(parentOf(trace, 'subgraph users')).toBe('subgraph payments');
    // …which the router's fetch started.
    expect(parentOf(trace, 'subgraph payments')).toBe('router.fetch');
  });
});

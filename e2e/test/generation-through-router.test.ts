import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { startUsersSubgraph } from '@supergraph/users/src/app';
import { bearer, errorCodes, graphql, quietLogger, sample, scrape } from '@supergraph/testing';
import { signUp } from './accounts';
import { startAiSubgraph } from './python-subgraph';
import { TestStack } from './stack';

/**
 * Model generation through the real router, against the real AI subgraph and its local model. The
 * generation fields are marked @nonRetryable in the AI subgraph's schema and the router reads that
 * from the supergraph: a fetch that selects one runs under its own deadline
 * (NON_RETRYABLE_FETCH_TIMEOUT_MS), not the subgraph's timeout, and is never retried, so a
 * generation runs once per request however it ends.
 */
jest.setTimeout(240_000);

const SIGNING_SECRET = 'test-router-signing-secret';
const GENERATE = 'query ($prompt: String!) { generateContent(prompt: $prompt, options: { maxTokens: 8, temperature: 0 }) { text finishReason } }';
const STREAM = 'subscription ($prompt: String!) { contentStream(prompt: $prompt, options: { maxTokens: 8, temperature: 0 }) { index delta done } }';
const EMBED = 'query { embed(texts: ["colour"]) { dimensions } }';

const platform = new TestStack();
let usersUrl: string;
let aiUrl: string;

beforeAll(async () => {
  const database = await platform.database('e2e_generation_users');
  const users = await platform.add(startUsersSubgraph(platform.config('users', { USERS_DATABASE_URL: database.url }), quietLogger('users')));
  usersUrl = `${users.url}/graphql`;
  // The AI subgraph's own deadline is far off: what ends a generation here is the router's.
  aiUrl = (await platform.add(startAiSubgraph(SIGNING_SECRET, { AI_GENERATION_DEADLINE_SECONDS: '120' }))).url;
});
afterAll(() => platform.stop());

type Result = FormattedExecutionResult<Record<string, unknown>, unknown>;

/** Every result of one subscription through the router over graphql-ws, until it completes. */
function subscribe(routerUrl: string, token: string, query: string, variables: Record<string, unknown>): Promise<Result[]> {
  const client = createClient({ url: routerUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: bearer(token), retryAttempts: 0 });
  const results: Result[] = [];
  return new Promise<Result[]>((resolve, reject) => {
    client.subscribe({ query, variables }, { next: (result) => results.push(result), error: reject, complete: () => resolve(results) });
  }).finally(() => client.dispose());
}

describe('through a router whose ordinary AI fetches time out at once', () => {
  let url: string;
  let token: string;

  beforeAll(async () => {
    ({ url } = await platform.router({ users: usersUrl, ai: aiUrl }, { SUBGRAPH_AI_TIMEOUT_MS: '1', BREAKER_FAILURE_THRESHOLD: '0' }));
    token = await signUp(url, `${randomUUID()}@example.com`);
  });

  test('generateContent answers under its own deadline, where an ordinary AI query times out', async () => {
    const generated = await graphql<{ generateContent: { text: string; finishReason: string } }>(url, GENERATE, { prompt: 'Name a colour.' }, bearer(token));
    expect(generated.errors).toBeUndefined();
    expect(generated.data!.generateContent.text.length).toBeGreaterThan(0);
    expect(['STOP', 'LENGTH']).toContain(generated.data!.generateContent.finishReason);

    const embedded = await graphql(url, EMBED, {}, bearer(token));
    expect(embedded.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', reason: 'timeout' });
  });

  test('contentStream streams the reply through the router over graphql-ws', async () => {
    const results = await subscribe(url, token, STREAM, { prompt: 'Name a colour.' });
    expect(results.every((result) => result.errors === undefined)).toBe(true);
    const chunks = results.map((result) => (result.data as { contentStream: { index: number; delta: string; done: boolean } }).contentStream);
    expect(chunks.map((chunk) => chunk.index)).toEqual(chunks.map((_, index) => index));
    expect(chunks.at(-1)!.done).toBe(true);
    expect(chunks.slice(0, -1).every((chunk) => !chunk.done && chunk.delta.length > 0)).toBe(true);
  });
});

describe("when the AI subgraph's answers are lost", () => {
  /** The body of each request the router sent the AI subgraph, in order. */
  const sent: string[] = [];
  /** How many of them the AI subgraph answered (the answers go no further). */
  let answered = 0;
  let url: string;
  let routerMetricsUrl: string;
  let token: string;

  beforeAll(async () => {
    // Between the router and the AI subgraph: passes each request on and withholds the answer, as a
    // network that lost it would. The router gives up at its deadline; the subgraph did the work.
    const held: ServerResponse[] = [];
    const withholding = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        sent.push(body);
        held.push(response);
        // The router's signed identity and content type, as it sent them.
        const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name === 'content-type' || name.startsWith('x-supergraph-')));
        void fetch(aiUrl, { method: 'POST', headers: headers as Record<string, string>, body }).then(async (answer) => {
          await answer.text();
          answered++;
        });
      });
    });
    await new Promise<void>((resolve) => withholding.listen(0, '127.0.0.1', resolve));
    platform.defer(
      () =>
        new Promise<void>((resolve) => {
          for (const response of held) response.destroy();
          withholding.close(() => resolve());
        }),
    );
    const router = await platform.router(
      { users: usersUrl, ai: `http://127.0.0.1:${(withholding.address() as AddressInfo).port}/graphql` },
      { NON_RETRYABLE_FETCH_TIMEOUT_MS: '1000', SUBGRAPH_AI_TIMEOUT_MS: '300', SUBGRAPH_RETRIES: '2', BREAKER_FAILURE_THRESHOLD: '0' },
    );
    url = router.url;
    routerMetricsUrl = `${router.router.url}/metrics`;
    token = await signUp(url, `${randomUUID()}@example.com`);
  });

  test('an ordinary query is retried, a generation is sent once and runs once', async () => {
    // The retries the router makes of any other query, seen from here.
    expect(errorCodes(await graphql(url, EMBED, {}, bearer(token)))).toEqual(['SUBGRAPH_UNAVAILABLE']);
    expect(sent).toHaveLength(3);
    const retriesBefore = sample(await scrape(routerMetricsUrl), 'router_subgraph_retries_total', { subgraph: 'ai' });
    expect(retriesBefore).toBe(2);

    const generated = await graphql(url, GENERATE, { prompt: 'Name a colour.' }, bearer(token));
    expect(generated.errors).toEqual([
      expect.objectContaining({ path: ['generateContent'], extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', reason: 'timeout' }) }),
    ]);
    // A retry would have been sent before the router answered, each with the whole deadline to arrive.
    expect(sent.slice(3)).toEqual([expect.stringContaining('generateContent')]);
    expect(sample(await scrape(routerMetricsUrl), 'router_subgraph_retries_total', { subgraph: 'ai' })).toBe(retriesBefore);
    // The AI subgraph generated the reply once; nobody asked it for another.
    await waitFor(() => answered === 4);
    expect(sent).toHaveLength(4);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('gave up waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

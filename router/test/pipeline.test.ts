import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { LoginDocument, RegisterDocument, SetUserTierDocument } from '../../clients/generated/graphql';
import { bearer, execute } from '@supergraph/testing';
import { startPlatform, type PlatformHarness } from './harness';

/**
 * One operation pipeline for every transport: the same hostile or erroneous operation gets the
 * same refusal, with the same `extensions.code`, over HTTP, graphql-ws and Server-Sent Events.
 */
let platform: PlatformHarness;
let userToken: string;
let adminToken: string;
let userId: string;
const clients: Client[] = [];
const PASSWORD = 'a long enough password';

beforeAll(async () => {
  platform = await startPlatform({
    // The whole platform's API (only users runs): its JSONObject arguments take literals of any shape.
    SUPERGRAPH_PATH: join(__dirname, '../../supergraph.graphql'),
    ADMIN_EMAILS: 'admin@example.com',
    LIMIT_MAX_DEPTH: '3',
    LIMIT_MAX_ALIASES: '3',
    LIMIT_MAX_TOKENS: '200',
    LIMIT_MAX_COST: '500',
  });
  const signUp = async (email: string) => {
    const registered = await execute(platform.graphqlUrl, RegisterDocument, { email, password: PASSWORD });
    return {
      id: registered.data!.register.user.id,
      token: (await execute(platform.graphqlUrl, LoginDocument, { email, password: PASSWORD })).data!.login.token,
    };
  };
  const user = await signUp('pipeline@example.com');
  userId = user.id;
  userToken = user.token;
  adminToken = (await signUp('admin@example.com')).token;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});
afterAll(() => platform?.stop());

interface Operation {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  extensions?: Record<string, unknown>;
}
type Caller = 'anonymous' | 'user';
interface Outcome {
  codes: (string | undefined)[];
  errors: { message: string; extensions?: Record<string, unknown> }[];
  status?: number;
}

const headersOf = (caller: Caller): Record<string, string> => (caller === 'user' ? bearer(userToken) : {});

async function overHttp(operation: Operation, caller: Caller): Promise<Outcome> {
  const response = await fetch(platform.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headersOf(caller) },
    body: serialize(operation),
  });
  const body = (await response.json()) as { errors?: Outcome['errors'] };
  return outcome(body.errors, response.status);
}

function connect(caller: Caller): Client {
  const client = createClient({
    url: platform.graphqlUrl.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: headersOf(caller),
    retryAttempts: 0,
  });
  clients.push(client);
  return client;
}

/** The first thing graphql-ws delivers for the operation: a result, or an `error` message on its id. */
function firstOverWebSocket(client: Client, operation: Operation): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const stop = client.subscribe(operation, {
      next: (result) => {
        stop();
        resolve(outcome(result.errors as Outcome['errors']));
      },
      error: (error) => (Array.isArray(error) ? resolve(outcome(error as Outcome['errors'])) : reject(new Error(`socket ended: ${JSON.stringify(error)}`))),
      complete: () => undefined,
    });
  });
}

/** graphql-transport-ws spoken by hand, so the table's frames are sent exactly as written (no client re-serialises them). */
async function overWebSocket(operation: Operation, caller: Caller): Promise<Outcome> {
  const socket = new WebSocket(platform.graphqlUrl.replace('http', 'ws'), 'graphql-transport-ws');
  try {
    const messages: { type: string; payload?: unknown }[] = [];
    let arrived = () => {};
    socket.on('message', (data: Buffer) => {
      messages.push(JSON.parse(data.toString()) as { type: string; payload?: unknown });
      arrived();
    });
    const next = async (types: string[]) => {
      for (;;) {
        const found = messages.find((message) => types.includes(message.type));
        if (found) return found;
        await new Promise<void>((resolve) => (arrived = resolve));
      }
    };
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: headersOf(caller) }));
    await next(['connection_ack']);
    socket.send(serialize({ id: '1', type: 'subscribe', payload: operation }));
    const answer = await next(['next', 'error']);
    return outcome(answer.type === 'error' ? (answer.payload as Outcome['errors']) : (answer.payload as { errors?: Outcome['errors'] }).errors);
  } finally {
    socket.close();
  }
}

async function overServerSentEvents(operation: Operation, caller: Caller): Promise<Outcome> {
  const response = await fetch(platform.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headersOf(caller) },
    body: serialize(operation),
  });
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    return outcome(((await response.json()) as { errors?: Outcome['errors'] }).errors, response.status);
  }
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended without a result: ${buffer}`);
    buffer += decoder.decode(value, { stream: true });
    const next = buffer.split('\n\n').find((block) => block.includes('event: next'));
    const data = next?.split('\n').find((line) => line.startsWith('data:'));
    if (data) {
      await reader.cancel();
      return outcome((JSON.parse(data.slice(5)) as { errors?: Outcome['errors'] }).errors, response.status);
    }
  }
}

function outcome(errors: Outcome['errors'] | undefined, status?: number): Outcome {
  return { codes: (errors ?? []).map((error) => error.extensions?.code as string | undefined), errors: errors ?? [], status };
}

/** Stands for a JSON value nested 100,000 levels deep, which JSON.stringify itself cannot write: `serialize` does. */
const DEEPLY_NESTED = '<100,000 levels of nesting>';
const serialize = (value: unknown): string => JSON.stringify(value).replace(JSON.stringify(DEEPLY_NESTED), `${'['.repeat(100_000)}1${']'.repeat(100_000)}`);

const REGISTER_WITH_VARIABLE = 'mutation ($email: String!, $password: String!) { register(email: $email, password: $password) { token } }';
const nestedList = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

const TABLE: { name: string; operation: Operation; caller: Caller; code: string }[] = [
  { name: 'depth', operation: { query: '{ users(first: 1) { edges { node { id } } } }' }, caller: 'user', code: 'OPERATION_LIMIT_EXCEEDED' },
  {
    name: 'aliases',
    operation: { query: '{ a: __typename b: __typename c: __typename d: __typename }' },
    caller: 'anonymous',
    code: 'OPERATION_LIMIT_EXCEEDED',
  },
  { name: 'tokens', operation: { query: `{ ${'__typename '.repeat(300)}}` }, caller: 'anonymous', code: 'OPERATION_LIMIT_EXCEEDED' },
  {
    name: 'cost, with the list size from a variable',
    operation: { query: 'query ($n: Int!) { users(first: $n) { pageInfo { hasNextPage } } }', variables: { n: 1000 } },
    caller: 'user',
    code: 'OPERATION_LIMIT_EXCEEDED',
  },
  { name: 'unauthenticated', operation: { query: '{ me { id } }' }, caller: 'anonymous', code: 'UNAUTHENTICATED' },
  { name: 'forbidden scope', operation: { query: '{ users(first: 1) { pageInfo { hasNextPage } } }' }, caller: 'user', code: 'FORBIDDEN' },
  {
    name: 'bad user input, from the subgraph',
    operation: { query: `mutation { register(email: "not-an-address", password: "${PASSWORD}") { token } }` },
    caller: 'anonymous',
    code: 'EMAIL_INVALID',
  },
  { name: 'validation error', operation: { query: '{ nope }' }, caller: 'anonymous', code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'syntax error', operation: { query: '{ me { ' }, caller: 'anonymous', code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'unknown operationName', operation: { query: 'query A { __typename }', operationName: 'B' }, caller: 'anonymous', code: 'BAD_REQUEST' },
  { name: 'empty operationName', operation: { query: 'query A { __typename }', operationName: '' }, caller: 'anonymous', code: 'BAD_REQUEST' },
  {
    name: '100,000-level nested JSON in variables',
    operation: { query: 'query ($v: Int) { __typename }', variables: { v: DEEPLY_NESTED } },
    caller: 'anonymous',
    code: 'BAD_REQUEST',
  },
  {
    name: '100,000-level nested JSON in extensions',
    operation: { query: '{ __typename }', extensions: { x: DEEPLY_NESTED } },
    caller: 'anonymous',
    code: 'BAD_REQUEST',
  },
  // Strings no database stores (PostgreSQL: error 22021) never reach a subgraph.
  {
    name: 'a NUL character in a variable',
    operation: { query: REGISTER_WITH_VARIABLE, variables: { email: 'nul\u0000@example.com', password: PASSWORD } },
    caller: 'anonymous',
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a lone surrogate (invalid Unicode) in a variable',
    operation: { query: REGISTER_WITH_VARIABLE, variables: { email: 'lone\ud800@example.com', password: PASSWORD } },
    caller: 'anonymous',
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a NUL character in a key of a JSON variable',
    operation: {
      query: 'mutation ($input: JSONObject) { submitTask(projectId: "p", kind: BUILD, input: $input) { id } }',
      variables: { input: { 'na\u0000me': 1 } },
    },
    caller: 'user',
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a NUL character in an argument literal',
    operation: { query: `mutation { register(email: "nul\\u0000@example.com", password: "${PASSWORD}") { token } }` },
    caller: 'anonymous',
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a lone surrogate in an argument literal (the parser refuses the escape)',
    operation: { query: `mutation { register(email: "lone\\uD800@example.com", password: "${PASSWORD}") { token } }` },
    caller: 'anonymous',
    code: 'GRAPHQL_PARSE_FAILED',
  },
  // GraphQL's input coercion refuses a float no finite double represents; graphql-js would pass it on as Infinity.
  {
    name: 'a Float literal beyond a double (1e400)',
    operation: { query: '{ generateContent(prompt: "p", options: { topP: 1e400 }) { text } }' },
    caller: 'user',
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'an argument literal nesting lists 7 levels',
    operation: { query: `mutation { submitTask(projectId: "p", kind: BUILD, input: { a: ${nestedList(7)} }) { id } }` },
    caller: 'user',
    code: 'OPERATION_LIMIT_EXCEEDED',
  },
];

describe('the same refusal over HTTP, graphql-ws and SSE', () => {
  it.each(TABLE)('$name: $code on every transport', async ({ operation, caller, code }) => {
    const outcomes = {
      http: await overHttp(operation, caller),
      websocket: await overWebSocket(operation, caller),
      sse: await overServerSentEvents(operation, caller),
    };
    expect({ http: outcomes.http.codes, websocket: outcomes.websocket.codes, sse: outcomes.sse.codes }).toEqual({
      http: [code],
      websocket: [code],
      sse: [code],
    });
    // A refusal is the caller's error, never a 500.
    expect(outcomes.http.status).toBeLessThan(500);
    expect(outcomes.sse.status).toBeLessThan(500);
  });

  it('measures subscriptions like queries: the limit that refuses a query refuses the same selection as a subscription', async () => {
    const subscription = { query: 'subscription { accountUpdated { a: id b: id c: id d: id } }' };
    expect((await overWebSocket(subscription, 'user')).codes).toEqual(['OPERATION_LIMIT_EXCEEDED']);
    expect((await overServerSentEvents(subscription, 'user')).codes).toEqual(['OPERATION_LIMIT_EXCEEDED']);
  });

  it('refuses a subscription over plain HTTP with 400 BAD_REQUEST', async () => {
    const refused = await overHttp({ query: 'subscription { accountUpdated { id } }' }, 'user');
    expect(refused).toMatchObject({ status: 400, codes: ['BAD_REQUEST'] });
  });

  it("passes on a subgraph's error with its message, code and path only", async () => {
    const { errors } = await overHttp(TABLE.find((row) => row.code === 'EMAIL_INVALID')!.operation, 'anonymous');
    expect(errors).toHaveLength(1);
    expect(Object.keys(errors[0]!).sort()).toEqual(['extensions', 'message', 'path']);
    expect(Object.keys(errors[0]!.extensions!).every((key) => ['code', 'field'].includes(key))).toBe(true);
  });
});

describe('an argument literal that would keep the planner busy for hours', () => {
  // Lists nested 30 deep: Apollo's planner would take about 2^30 steps on it, blocking the event loop.
  const hostile = { query: `mutation { submitTask(projectId: "p", kind: BUILD, input: { a: ${nestedList(30)} }) { id } }` };

  it('is refused before planning on every transport, anonymously, while /health answers', async () => {
    const refusals = Promise.all([overHttp(hostile, 'anonymous'), overWebSocket(hostile, 'anonymous'), overServerSentEvents(hostile, 'anonymous')]);
    const health = await fetch(`${platform.routerUrl}/health`);
    expect(health.status).toBe(200);
    expect((await refusals).map((refusal) => refusal.codes)).toEqual([
      ['OPERATION_LIMIT_EXCEEDED'],
      ['OPERATION_LIMIT_EXCEEDED'],
      ['OPERATION_LIMIT_EXCEEDED'],
    ]);
  });
});

describe('bounded input', () => {
  const huge = JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(2_000_000) } });

  it('closes a WebSocket that sends a frame over MAX_BODY_BYTES, before parsing it, without a stack trace on the console', async () => {
    const consoleErrors = jest.spyOn(console, 'error');
    try {
      const socket = new WebSocket(platform.graphqlUrl.replace('http', 'ws'), 'graphql-transport-ws');
      await new Promise((resolve) => socket.once('open', resolve));
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      socket.send(huge);
      expect(await closed).toBe(1009);
      expect(consoleErrors).not.toHaveBeenCalled();
    } finally {
      consoleErrors.mockRestore();
    }
  });

  it('answers 413 to an SSE body over MAX_BODY_BYTES', async () => {
    const response = await fetch(platform.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: huge,
    });
    expect(response.status).toBe(413);
  });
});

describe('Server-Sent Events read the parameters as sent', () => {
  const post = (body: string, contentType = 'application/json') =>
    fetch(platform.graphqlUrl, { method: 'POST', headers: { 'content-type': contentType, accept: 'text/event-stream' }, body });

  it.each([
    ['a body that is not JSON', '{ "query": '],
    ['a JSON body that is not an object', '["{ __typename }"]'],
    ['a body without a query or persisted query', '{ "variables": {} }'],
  ])('refuses %s with 400 BAD_REQUEST', async (_case, body) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors.map((error) => error.extensions.code)).toEqual(['BAD_REQUEST']);
  });

  it('refuses a body that is not JSON by its content type, and unparsable GET parameters', async () => {
    expect((await post('{ __typename }', 'text/plain')).status).toBe(400);
    const get = await fetch(`${platform.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}&variables=%7Bnope`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(get.status).toBe(400);
  });

  it('runs a persisted query sent by its hash alone, once registered', async () => {
    const query = '{ sseHashOnly: __typename }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const persistedQuery = { version: 1, sha256Hash };
    const register = await fetch(platform.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, extensions: { persistedQuery } }),
    });
    expect(await register.json()).toEqual({ data: { sseHashOnly: 'Query' } });

    const byHash = await post(JSON.stringify({ extensions: { persistedQuery } }));
    expect(byHash.headers.get('content-type')).toContain('text/event-stream');
    expect(await byHash.text()).toBe(`event: next\ndata: ${JSON.stringify({ data: { sseHashOnly: 'Query' } })}\n\nevent: complete\ndata:\n\n`);
  });
});

describe('graphql-ws errors are results on their operation', () => {
  it('keeps the connection and its subscription running after erroring queries and mutations', async () => {
    const client = connect('user');
    const events: unknown[] = [];
    client.subscribe(
      { query: 'subscription { accountUpdated { id tier } }' },
      { next: (event) => void events.push(event), error: () => undefined, complete: () => undefined },
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));

    for (const row of TABLE.filter((candidate) => candidate.caller === 'user')) {
      expect((await firstOverWebSocket(client, row.operation)).codes).toEqual([row.code]);
    }
    expect((await firstOverWebSocket(client, { query: 'mutation { setUserTier(userId: "nobody", tier: PRO) { id } }' })).codes).toEqual(['FORBIDDEN']);

    await execute(platform.graphqlUrl, SetUserTierDocument, { userId, tier: 'PRO' }, bearer(adminToken));
    const deadline = Date.now() + 5000;
    while (events.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual([{ data: { accountUpdated: { id: userId, tier: 'PRO' } }, extensions: { position: expect.stringMatching(/^\d+-\d+$/) } }]);
    expect((await firstOverWebSocket(client, { query: '{ me { id } }' })).codes).toEqual([]);
  });
});

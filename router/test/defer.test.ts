import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createLogger } from '@supergraph/server';
import { HarnessStack } from '@supergraph/testing';
import { startRouter } from '../src/app';
import { eventStream } from './event-stream';
import { startLibrary, type LibraryFixture } from './executor-fixture';

/**
 * `@defer` end to end: the router in front of the library fixture's two subgraphs (catalog: books;
 * ratings: each book's rating, which fails for book 2). The primary part comes first, each deferred
 * fragment later at the path of its object, with its label and its own errors, over HTTP multipart,
 * Server-Sent Events and graphql-ws alike; Apollo Client assembles them.
 */

const stack = new HarnessStack();
let library: LibraryFixture;
let graphqlUrl: string;
let routerUrl: string;
/** The router's log lines (at debug level, where each finished operation is logged). */
const logged: Record<string, unknown>[] = [];

beforeAll(async () => {
  library = await startLibrary();
  stack.defer(() => library.stop());
  const folder = mkdtempSync(join(tmpdir(), 'defer-'));
  writeFileSync(join(folder, 'supergraph.graphql'), library.supergraphSdl);
  const config = stack.config('router', {
    SUPERGRAPH_PATH: join(folder, 'supergraph.graphql'),
    SUPERGRAPH_WATCH: 'false',
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'debug',
  });
  const logger = createLogger({ service: 'router' }, 'debug', { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
  const router = await stack.add(startRouter(config, logger));
  routerUrl = router.url;
  graphqlUrl = `${router.url}/graphql`;
});
afterAll(() => stack.stop());

const DEFERRED = `query Shelf { books { id title ... @defer(label: "rating") { flakyRating } } }`;

/** The payloads of an HTTP multipart response, in order. */
async function overHttp(query: string, variables: Record<string, unknown> = {}): Promise<{ contentType: string; payloads: unknown[] }> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed;deferSpec=20220824,application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  const payloads = text
    .split('\r\n---')
    .map((part) => part.slice(part.indexOf('\r\n\r\n') + 4))
    .filter((part) => part.trim().startsWith('{'))
    .map((part) => JSON.parse(part) as unknown);
  return { contentType: response.headers.get('content-type') ?? '', payloads };
}

async function overServerSentEvents(query: string): Promise<unknown[]> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query }),
  });
  // Until the stream ends (`complete`).
  return eventStream(response).atLeast(Number.POSITIVE_INFINITY);
}

async function overWebSocket(query: string): Promise<unknown[]> {
  const client = createClient({ url: graphqlUrl.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
  try {
    const payloads: unknown[] = [];
    for await (const payload of client.iterate({ query })) payloads.push(payload);
    return payloads;
  } finally {
    await client.dispose();
  }
}

/** Book 2's rating fails in the ratings subgraph: its item carries the error, at its own path. */
const EXPECTED_PAYLOADS = [
  {
    data: {
      books: [
        { id: '1', title: 'Dune' },
        { id: '2', title: 'Solaris' },
        { id: '3', title: 'Ubik' },
      ],
    },
    hasNext: true,
  },
  {
    incremental: [
      { data: { flakyRating: 1 }, path: ['books', 0], label: 'rating' },
      { data: { flakyRating: null }, path: ['books', 1], label: 'rating', errors: [expect.objectContaining({ path: ['books', 1, 'flakyRating'] })] },
      { data: { flakyRating: 3 }, path: ['books', 2], label: 'rating' },
    ],
    hasNext: false,
  },
];

describe('@defer', () => {
  it('over HTTP multipart: the primary part first, then the deferred fragment of each book at its path, with its label and its own errors', async () => {
    const { contentType, payloads } = await overHttp(DEFERRED);
    expect(contentType).toContain('multipart/mixed');
    expect(contentType).toContain('deferSpec=20220824');
    expect(payloads).toEqual(EXPECTED_PAYLOADS);
  });

  it('over Server-Sent Events and graphql-ws: the same payloads, one event or message each', async () => {
    expect(await overServerSentEvents(DEFERRED)).toEqual(EXPECTED_PAYLOADS);
    expect(await overWebSocket(DEFERRED)).toEqual(EXPECTED_PAYLOADS);
  });

  it('under the same rules as a whole response on every transport: counted, and logged with its errors, once its last part is delivered', async () => {
    const series = 'router_requests_total{operation="Shelf",outcome="error"}';
    const counted = async () => {
      const line = (await (await fetch(`${routerUrl}/metrics`)).text()).split('\n').find((candidate) => candidate.startsWith(`${series} `));
      return line ? Number(line.slice(series.length + 1)) : 0;
    };
    const before = await counted();
    const from = logged.length;
    await overHttp(DEFERRED);
    await overServerSentEvents(DEFERRED);
    await overWebSocket(DEFERRED);

    expect((await counted()) - before).toBe(3);
    const lines = logged.slice(from);
    // Each finished once, with the failed rating among its errors…
    expect(lines.filter((line) => line.msg === 'operation finished')).toEqual(
      [1, 2, 3].map(() => expect.objectContaining({ operation: 'Shelf', status: 200, errors: 1 })),
    );
    // …and that error logged whole, with the subgraph's details the caller does not get.
    const subgraphErrors = lines.filter((line) => line.msg === 'subgraph error');
    expect(subgraphErrors).toHaveLength(3);
    for (const line of subgraphErrors)
      expect(line).toMatchObject({ path: ['books', 1, 'flakyRating'], extensions: expect.objectContaining({ serviceName: 'ratings' }) });
  });

  it('in one response to a client that does not take multipart responses', async () => {
    const response = await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: DEFERRED }) });
    const body = (await response.json()) as { data: unknown; errors: { path: unknown }[] };
    expect(body.data).toEqual({
      books: [
        { id: '1', title: 'Dune', flakyRating: 1 },
        { id: '2', title: 'Solaris', flakyRating: null },
        { id: '3', title: 'Ubik', flakyRating: 3 },
      ],
    });
    expect(body.errors.map((error) => error.path)).toEqual([['books', 1, 'flakyRating']]);
  });

  it('follows `if:` — false answers in one plain JSON response', async () => {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed;deferSpec=20220824,application/json' },
      body: JSON.stringify({ query: `query Shelf($defer: Boolean!) { books { id ... @defer(if: $defer) { flakyRating } } }`, variables: { defer: false } }),
    });
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = (await response.json()) as { data: unknown; errors: { path: unknown }[] };
    expect(body.data).toEqual({
      books: [
        { id: '1', flakyRating: 1 },
        { id: '2', flakyRating: null },
        { id: '3', flakyRating: 3 },
      ],
    });
    expect(body.errors.map((error) => error.path)).toEqual([['books', 1, 'flakyRating']]);
  });

  it('nests: a fragment deferred inside a deferred fragment arrives after it', async () => {
    const { payloads } = await overHttp(`{ books { id ... @defer(label: "outer") { title ... @defer(label: "inner") { rating } } } }`);
    const labels = payloads.flatMap((payload) => ((payload as { incremental?: { label: string }[] }).incremental ?? []).map((item) => item.label));
    expect(labels).toEqual(['outer', 'outer', 'outer', 'inner', 'inner', 'inner']);
    expect((payloads[0] as { data: unknown }).data).toEqual({ books: [{ id: '1' }, { id: '2' }, { id: '3' }] });
    expect((payloads.at(-1) as { hasNext: boolean }).hasNext).toBe(false);
  });

  it('reaches Apollo Client, which shows the books first and their ratings when they arrive', async () => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: graphqlUrl }),
      cache: new InMemoryCache(),
      incrementalHandler: new Defer20220824Handler(),
    });
    const seen: unknown[] = [];
    await new Promise<void>((done, fail) => {
      const subscription = client.watchQuery({ query: gql(DEFERRED), errorPolicy: 'all' }).subscribe({
        next: (result) => {
          if (result.loading && !result.data) return;
          seen.push(result.data);
          if (result.dataState === 'complete') {
            subscription.unsubscribe();
            done();
          }
        },
        error: fail,
      });
    });
    expect(seen[0]).toEqual({
      books: [
        { __typename: 'Book', id: '1', title: 'Dune' },
        { __typename: 'Book', id: '2', title: 'Solaris' },
        { __typename: 'Book', id: '3', title: 'Ubik' },
      ],
    });
    expect(seen.at(-1)).toEqual({
      books: [
        { __typename: 'Book', id: '1', title: 'Dune', flakyRating: 1 },
        { __typename: 'Book', id: '2', title: 'Solaris', flakyRating: null },
        { __typename: 'Book', id: '3', title: 'Ubik', flakyRating: 3 },
      ],
    });
  });
});

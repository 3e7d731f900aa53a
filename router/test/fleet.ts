import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { graphql as execute, parse } from 'graphql';
import { REPO_ROOT } from '@supergraph/config';
import { freePort, startSubgraphProcess, type SubgraphProcess } from '@supergraph/testing';

/** Test fleets: real subgraph processes, small in-process subgraphs, and supergraphs composed from them. */

export { freePort, type SubgraphProcess };

/** The real users subgraph in a child process, on a fixed port so it can be killed and restarted. */
export const startUsersProcess = (env: Record<string, string>): Promise<SubgraphProcess> => startSubgraphProcess('users', env);

export interface FakeSubgraph {
  name: string;
  url: string;
  sdl: string;
  /** Every request it received, in order. */
  requests: { query: string; headers: IncomingHttpHeaders }[];
  /** Answers the next requests with this HTTP status instead of executing them (until set back to 0). */
  failWith: number;
  /** The JSON body of those answers (default: a GraphQL error without a code). */
  failBody?: unknown;
  /** Delays every answer by this many milliseconds. */
  delayMs: number;
  /** While set, every answer waits for this promise (a test holds requests in flight with it). */
  hold?: Promise<void>;
  /** Cache-Control header to send with each answer (cache hints for the router). */
  cacheControl?: string;
  stop(): Promise<void>;
}

/** A small federated subgraph served over plain HTTP, with knobs to make it fail or slow down. */
export async function startFakeSubgraph(name: string, sdl: string, resolvers: GraphQLResolverMap<unknown>): Promise<FakeSubgraph> {
  const schema = buildSubgraphSchema({ typeDefs: parse(sdl), resolvers });
  let server: Server;
  const fake: FakeSubgraph = {
    name,
    url: '',
    sdl,
    requests: [],
    failWith: 0,
    delayMs: 0,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown>; operationName?: string };
    fake.requests.push({ query: body.query, headers: request.headers });
    if (fake.delayMs) await new Promise((resolve) => setTimeout(resolve, fake.delayMs));
    if (fake.hold) await fake.hold;
    if (fake.failWith) {
      response.writeHead(fake.failWith, { 'content-type': 'application/json' });
      response.end(JSON.stringify(fake.failBody ?? { errors: [{ message: `failing with ${fake.failWith}` }] }));
      return;
    }
    const result = await execute({
      schema,
      source: body.query,
      variableValues: body.variables,
      operationName: body.operationName,
      contextValue: { headers: request.headers },
    });
    response.writeHead(200, { 'content-type': 'application/json', ...(fake.cacheControl ? { 'cache-control': fake.cacheControl } : {}) });
    response.end(JSON.stringify(result));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return fake;
}

/** Composes a supergraph from these subgraphs into a temporary file; returns its path and a cleanup. */
export function composeSupergraph(subgraphs: { name: string; url: string; sdl: string }[]): { path: string; cleanup(): void } {
  const result = composeServices(subgraphs.map((subgraph) => ({ name: subgraph.name, url: subgraph.url, typeDefs: parse(subgraph.sdl) })));
  if (result.errors) throw new Error(`composition failed: ${result.errors.map((error) => error.message).join('; ')}`);
  const folder = mkdtempSync(join(tmpdir(), 'supergraph-'));
  const path = join(folder, 'supergraph.graphql');
  writeFileSync(path, result.supergraphSdl);
  return { path, cleanup: () => rmSync(folder, { recursive: true, force: true }) };
}

export const usersSdl = (): string => readFileSync(join(REPO_ROOT, 'subgraphs/users/schema.graphql'), 'utf8');

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';

/** A catalog subgraph: its own root fields, a query and a mutation. */
export const catalog = () =>
  startFakeSubgraph(
    'catalog',
    `${LINK}
    type Query { products(first: Int): [Product!]! }
    type Mutation { addProduct(name: String!): Product! }
    type Product { name: String! }`,
    {
      Query: { products: () => [{ name: 'lamp' }, { name: 'desk' }] },
      Mutation: { addProduct: (_: unknown, { name }: { name: string }) => ({ name }) },
    } as GraphQLResolverMap<unknown>,
  );

/** A reviews subgraph that extends the users subgraph's User entity. */
export const reviews = () =>
  startFakeSubgraph(
    'reviews',
    `${LINK}
    type User @key(fields: "id") { id: ID! reviewCount: Int! }`,
    {
      User: { __resolveReference: (user: { id: string }) => ({ id: user.id, reviewCount: 3 }) },
    } as GraphQLResolverMap<unknown>,
  );

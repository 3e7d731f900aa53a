/**
 * The benchmark's four subgraphs (accounts, inventory, products, reviews), as fast as plain
 * graphql-js with @apollo/subgraph on node:http allows, each counting the requests it serves.
 * Run as a process: `tsx bench/gateways/subgraphs.ts <basePort>`; ports basePort..basePort+3.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { inStock, products, reviews, users } from './data';

const link = (imports: string[]) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: [${imports.map((i) => `"${i}"`).join(', ')}])\n`;

const byId = <T extends Record<K, string>, K extends keyof T>(rows: T[], key: K) => new Map(rows.map((row) => [row[key], row]));
const usersById = byId(users, 'id');
const productsByUpc = byId(products, 'upc');

export const definitions: Record<string, { typeDefs: string; resolvers: GraphQLResolverMap<unknown> }> = {
  accounts: {
    typeDefs:
      link(['@key', '@shareable']) +
      `
      type Query { me: User users: [User] user(id: ID!): User }
      type User @key(fields: "id") { id: ID! name: String username: String @shareable birthday: Int }`,
    resolvers: {
      Query: { me: () => users[0], users: () => users, user: (_: unknown, { id }: { id: string }) => usersById.get(id) },
      User: { __resolveReference: (ref: { id: string }) => usersById.get(ref.id) },
    },
  },
  products: {
    typeDefs:
      link(['@key']) +
      `
      type Query { topProducts(first: Int = 5): [Product] }
      type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }`,
    resolvers: {
      Query: { topProducts: (_: unknown, { first }: { first: number }) => products.slice(0, first) },
      Product: { __resolveReference: (ref: { upc: string }) => productsByUpc.get(ref.upc) },
    },
  },
  inventory: {
    typeDefs:
      link(['@key', '@external', '@requires']) +
      `
      type Product @key(fields: "upc") {
        upc: String!
        weight: Int @external
        price: Int @external
        inStock: Boolean
        shippingEstimate: Int @requires(fields: "price weight")
      }`,
    resolvers: {
      Product: {
        __resolveReference: (ref: { upc: string; price?: number; weight?: number }) => ({ ...ref, inStock: inStock(ref.upc) }),
        // Free for expensive items, otherwise by weight: needs price and weight from products.
        shippingEstimate: (product: { price: number; weight: number }) => (product.price > 1000 ? 0 : Math.round(product.weight * 0.5)),
      },
    },
  },
  reviews: {
    typeDefs:
      link(['@key', '@external', '@provides']) +
      `
      type Review @key(fields: "id") { id: ID! body: String author: User @provides(fields: "username") product: Product }
      type User @key(fields: "id") { id: ID! username: String @external reviews: [Review] }
      type Product @key(fields: "upc") { upc: String! reviews: [Review] }`,
    resolvers: {
      Review: {
        __resolveReference: (ref: { id: string }) => reviews.find((review) => review.id === ref.id),
        author: (review: { authorId: string }) => ({ id: review.authorId, username: usersById.get(review.authorId)?.username }),
        product: (review: { productUpc: string }) => ({ upc: review.productUpc }),
      },
      User: { reviews: (user: { id: string }) => reviews.filter((review) => review.authorId === user.id) },
      Product: { reviews: (product: { upc: string }) => reviews.filter((review) => review.productUpc === product.upc) },
    },
  },
};

export const SUBGRAPH_NAMES = Object.keys(definitions);

/** Serves one subgraph with a parse/validate cache: the gateways send the same few operations. */
function serve(name: string, port: number, counts: Record<string, number>): Promise<Server> {
  const { typeDefs, resolvers } = definitions[name]!;
  const schema: GraphQLSchema = buildSubgraphSchema({ typeDefs: parse(typeDefs), resolvers });
  const documents = new Map<string, DocumentNode>();
  const server = createServer((request, response) => {
    if (request.url === '/stats') {
      response.end(JSON.stringify(counts));
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      counts[name] = (counts[name] ?? 0) + 1;
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { query: string; variables?: Record<string, unknown>; operationName?: string };
      let document = documents.get(body.query);
      if (!document) {
        document = parse(body.query);
        const errors = validate(schema, document);
        if (errors.length > 0) {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ errors }));
          return;
        }
        documents.set(body.query, document);
      }
      const result = await execute({ schema, document, variableValues: body.variables, operationName: body.operationName });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(result));
    });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

export async function serveAll(basePort: number): Promise<{ urls: Record<string, string>; stop(): Promise<void> }> {
  const counts: Record<string, number> = {};
  const servers = await Promise.all(SUBGRAPH_NAMES.map((name, i) => serve(name, basePort === 0 ? 0 : basePort + i, counts)));
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [name, `http://127.0.0.1:${(servers[i]!.address() as AddressInfo).port}/graphql`]));
  return { urls, stop: async () => void (await Promise.all(servers.map((server) => new Promise((done) => server.close(done))))) };
}

if (require.main === module) {
  serveAll(Number(process.argv[2] ?? 4100)).then(({ urls }) => console.log(JSON.stringify(urls)));
}

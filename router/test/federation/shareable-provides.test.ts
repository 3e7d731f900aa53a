import { describeDifferential, federation } from './harness';

/**
 * @shareable fields resolved by more than one subgraph, @external fields, and @provides: reviews
 * can answer an author's `name` itself on the paths it provides it, and must fetch it from users
 * everywhere else.
 */

const users = [
  { id: 'u1', name: 'Ada', email: 'ada@example.com', handle: 'ada' },
  { id: 'u2', name: 'Grace', email: 'grace@example.com', handle: 'grace' },
];
const reviews = [
  { id: 'r1', body: 'Great', authorId: 'u1', productId: 'p1' },
  { id: 'r2', body: 'Meh', authorId: 'u2', productId: 'p1' },
  { id: 'r3', body: 'Fine', authorId: 'u1', productId: 'p2' },
];
const author = (review: { authorId: string }) => {
  const user = users.find((candidate) => candidate.id === review.authorId)!;
  // What reviews keeps of its authors: its own copy of the name, and the handle it shares.
  return { id: user.id, name: `${user.name} (as reviews knows)`, handle: user.handle };
};

describeDifferential('@shareable, @external, @provides', {
  subgraphs: {
    users: {
      typeDefs:
        federation(['@key', '@shareable']) +
        `type Query { users: [User!]! version: String! @shareable }
         type User @key(fields: "id") { id: ID! name: String! @shareable email: String! handle: String @shareable }`,
      resolvers: {
        Query: { users: () => users, version: () => 'v1' },
        User: { __resolveReference: (ref: { id: string }) => users.find((user) => user.id === ref.id) },
      },
    },
    reviews: {
      typeDefs:
        federation(['@key', '@shareable', '@external', '@provides']) +
        `type Query { reviews: [Review!]! version: String! @shareable }
         type Review @key(fields: "id") { id: ID! body: String! author: User! @provides(fields: "name") editor: User product: Product! }
         type User @key(fields: "id") { id: ID! name: String! @external handle: String @shareable reviews: [Review!]! }
         type Product @key(fields: "upc") { upc: ID! reviews: [Review!]! }`,
      resolvers: {
        Query: { reviews: () => reviews, version: () => 'v1' },
        Review: {
          __resolveReference: (ref: { id: string }) => reviews.find((review) => review.id === ref.id),
          author,
          editor: (review: { id: string }) => (review.id === 'r1' ? author({ authorId: 'u2' }) : null),
          product: (review: { productId: string }) => ({ upc: review.productId }),
        },
        User: {
          __resolveReference: (ref: { id: string }) => ({ id: ref.id, handle: users.find((user) => user.id === ref.id)?.handle }),
          reviews: (user: { id: string }) => reviews.filter((review) => review.authorId === user.id),
        },
        Product: { reviews: (product: { upc: string }) => reviews.filter((review) => review.productId === product.upc) },
      },
    },
    products: {
      typeDefs:
        federation(['@key', '@shareable']) +
        `type Query { products: [Product!]! }
         type Product @key(fields: "upc") { upc: ID! name: String! dimensions: Dimensions }
         type Dimensions @shareable { width: Int! height: Int! }`,
      resolvers: {
        Query: {
          products: () => [
            { upc: 'p1', name: 'Chair', dimensions: { width: 40, height: 90 } },
            { upc: 'p2', name: 'Desk', dimensions: null },
          ],
        },
        Product: { __resolveReference: (ref: { upc: string }) => ({ upc: ref.upc, name: ref.upc === 'p1' ? 'Chair' : 'Desk' }) },
      },
    },
  },
  cases: [
    { name: '@provides: the author’s name from reviews itself, no fetch to users', query: '{ reviews { body author { name } } }' },
    { name: 'a field beyond what is provided: users is fetched for email', query: '{ reviews { author { name email } } }' },
    { name: 'not on a provided path: the editor’s name comes from users', query: '{ reviews { id editor { name handle } } }' },
    { name: '@shareable root field answered by one of the subgraphs', query: '{ version }' },
    { name: '@shareable field, answered where the plan is already', query: '{ users { id handle reviews { body author { handle name } } } }' },
    {
      name: 'round trip: product → reviews → authors → their reviews → products',
      query: '{ products { name reviews { author { email reviews { product { name } } } } } }',
    },
    { name: 'a shareable value type, null on one entity', query: '{ products { upc dimensions { width height } } }' },
    { name: 'an aliased provided field next to the same field fetched elsewhere', query: '{ reviews { a: author { n: name } e: editor { n: name } } }' },
  ],
  generated: { count: 50, seed: 22 },
});

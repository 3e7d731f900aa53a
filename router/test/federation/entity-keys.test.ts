import { describeDifferential, federation } from './harness';

/**
 * Entities with a single key, several keys, a composite key and a nested key: each subgraph knows
 * a product by a different key, so reaching one subgraph from another goes through a key the first
 * may have to fetch from a third (catalog knows both keys and translates).
 */

const products = [
  { upc: 'u1', sku: { code: 'A', region: 'EU' }, name: 'Kettle', bin: { aisle: 1, shelf: 2 } },
  { upc: 'u2', sku: { code: 'B', region: 'EU' }, name: 'Toaster', bin: { aisle: 1, shelf: 3 } },
  { upc: 'u3', sku: { code: 'A', region: 'US' }, name: 'Kettle (US)', bin: null },
];
type Product = (typeof products)[number];
const bySku = (sku: { code: string; region: string }) => products.find((product) => product.sku.code === sku.code && product.sku.region === sku.region);

describeDifferential('entity keys: single, multiple, composite, nested', {
  subgraphs: {
    catalog: {
      typeDefs:
        federation(['@key', '@shareable']) +
        `type Query { products: [Product!]! product(upc: ID!): Product }
         type Product @key(fields: "upc") @key(fields: "sku { code region }") { upc: ID! sku: Sku! name: String bin: Bin }
         type Sku @shareable { code: String! region: String! }
         type Bin @key(fields: "aisle shelf", resolvable: false) { aisle: Int! shelf: Int! }`,
      resolvers: {
        Query: { products: () => products, product: (_: unknown, { upc }: { upc: string }) => products.find((product) => product.upc === upc) },
        Product: {
          __resolveReference: (ref: Partial<Product>) => (ref.upc ? products.find((product) => product.upc === ref.upc) : ref.sku && bySku(ref.sku)),
        },
      },
    },
    inventory: {
      typeDefs:
        federation(['@key', '@shareable']) +
        `type Query { lowStock: [Product!]! }
         type Product @key(fields: "sku { code region }") { sku: Sku! stock: Int! restock: [Product!]! }
         type Sku @shareable { code: String! region: String! }`,
      resolvers: {
        Query: { lowStock: () => products.filter((product) => product.sku.code === 'A').map(({ sku }) => ({ sku })) },
        Product: {
          __resolveReference: (ref: Pick<Product, 'sku'>) => ({ sku: ref.sku }),
          stock: ({ sku }: Pick<Product, 'sku'>) => (sku.code === 'A' ? 2 : 40) + (sku.region === 'US' ? 1 : 0),
          restock: ({ sku }: Pick<Product, 'sku'>) => products.filter((product) => product.sku.region !== sku.region).map((product) => ({ sku: product.sku })),
        },
      },
    },
    pricing: {
      typeDefs: federation(['@key']) + 'type Product @key(fields: "upc") { upc: ID! price: Int! currency: String }',
      resolvers: {
        Product: {
          __resolveReference: (ref: { upc: string }) => ref,
          price: ({ upc }: { upc: string }) => Number(upc.slice(1)) * 100,
          currency: () => 'EUR',
        },
      },
    },
    warehouse: {
      typeDefs: federation(['@key']) + 'type Query { bins: [Bin!]! } type Bin @key(fields: "aisle shelf") { aisle: Int! shelf: Int! label: String! }',
      resolvers: {
        Query: {
          bins: () => [
            { aisle: 1, shelf: 2 },
            { aisle: 9, shelf: 9 },
          ],
        },
        Bin: {
          __resolveReference: (ref: { aisle: number; shelf: number }) => ref,
          label: ({ aisle, shelf }: { aisle: number; shelf: number }) => `${aisle}-${shelf}`,
        },
      },
    },
  },
  cases: [
    { name: 'a single key: catalog → pricing by upc', query: '{ products { upc name price } }' },
    { name: 'a nested composite key: catalog → inventory by sku { code region }', query: '{ products { name stock } }' },
    { name: 'a composite key of two fields: catalog → warehouse by aisle and shelf, a null bin skipped', query: '{ products { name bin { aisle label } } }' },
    {
      name: 'multiple keys: inventory knows only the sku, pricing only the upc; catalog translates one into the other',
      query: '{ lowStock { sku { code region } stock name price currency } }',
    },
    { name: 'three hops deep through both keys, in a list of lists', query: '{ lowStock { stock restock { name price stock bin { label } } } }' },
    { name: 'an entity by argument, every subgraph’s fields', query: '{ product(upc: "u2") { name price stock bin { label } } }' },
    { name: 'an entity not found: null, no fetch beyond', query: '{ product(upc: "nope") { name price stock } }' },
    {
      name: 'the same entity reached twice, aliased, fetched once per representation',
      query: '{ a: product(upc: "u1") { price } b: product(upc: "u1") { p: price stock } }',
    },
    { name: 'a root list of composite-key entities', query: '{ bins { label aisle } }' },
  ],
  generated: { count: 50, seed: 11, argumentValues: { 'Query.product.upc': ['"u1"', '"u2"', '"u3"', '"u9"'] } },
});

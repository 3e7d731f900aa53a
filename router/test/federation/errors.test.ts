import { describeDifferential, federation } from './harness';

/**
 * Nullability and error propagation: errors in root and entity fetches, nulls in non-null
 * positions at several depths (a field, a list item, a list, nested objects), and subgraphs that
 * fail as a whole: one down (nothing listens), one answering HTTP 500, one answering HTML.
 */

const orders = [
  { id: 'o1', customerId: 'c1' },
  { id: 'o2', customerId: 'c2' },
  { id: 'o3', customerId: 'c3' },
];
const fail = (message: string) => {
  throw new Error(message);
};

const ENTITY_NOT_FOUND =
  'stock nulls the item of customer c3, which the subgraph could not find, with no error: a null in a non-null position is a field error at its path (GraphQL spec §6.4.4)';
const FETCH_FAILED =
  'stock reports a fetch that failed as a whole once, without a path; the router reports it at each field the fetch was to fill (GraphQL spec §7.1.2: an error that can be associated with a field carries its path)';
/** The errors the router's data source answers for a subgraph that failed as a whole (the harness's, as subgraph-data-source.ts does). */
const DOWN = 'Subgraph "loyalty" is unreachable';
const HTTP_500 = 'Subgraph "shipping" answered HTTP 500';
const NOT_JSON = 'Subgraph "reviews" answered no JSON';
/** One error per order of `list`, at `field` below it. */
const inEachOrder = (list: string, field: string, message: string) => orders.map((_, index) => `${list}.${index}.${field}: ${message}`);

describeDifferential('nullability and error propagation', {
  subgraphs: {
    orders: {
      typeDefs:
        federation(['@key']) +
        `type Query { orders: [Order!]! strictOrders: [Order!]! maybeOrders: [Order] broken: String brokenStrict: String! deep: Level1 }
         type Order @key(fields: "id") { id: ID! customer: Customer! lines: [Line!] }
         type Line { sku: String! qty: Int! note: String }
         type Customer @key(fields: "id", resolvable: false) { id: ID! }
         type Level1 { level2: Level2! }
         type Level2 { level3: Level3 }
         type Level3 { value: String! }`,
      resolvers: {
        Query: {
          orders: () => orders,
          strictOrders: () => orders,
          maybeOrders: () => [...orders, null],
          broken: () => fail('the orders subgraph cannot say'),
          brokenStrict: () => fail('the orders subgraph cannot say, strictly'),
          deep: () => ({ level2: { level3: { value: null } } }),
        },
        Order: {
          __resolveReference: (ref: { id: string }) => orders.find((order) => order.id === ref.id),
          customer: (order: { customerId: string }) => ({ id: order.customerId }),
          lines: (order: { id: string }) =>
            order.id === 'o2'
              ? [
                  { sku: 'a', qty: 1 },
                  { sku: null, qty: 2 },
                ]
              : [{ sku: 'b', qty: 3, note: order.id === 'o3' ? fail('no note') : 'ok' }],
        },
      },
    },
    customers: {
      typeDefs:
        federation(['@key']) +
        'type Customer @key(fields: "id") { id: ID! name: String! email: String vip: Boolean! address: Address } type Address { city: String! }',
      resolvers: {
        Customer: {
          __resolveReference: (ref: { id: string }) => (ref.id === 'c3' ? null : ref),
          name: (customer: { id: string }) => (customer.id === 'c2' ? fail(`no name for ${customer.id}`) : `Customer ${customer.id}`),
          email: (customer: { id: string }) => (customer.id === 'c1' ? fail('email hidden') : `${customer.id}@example.com`),
          vip: (customer: { id: string }) => (customer.id === 'c2' ? null : true),
          address: (customer: { id: string }) => ({ city: customer.id === 'c1' ? 'Paris' : null }),
        },
      },
    },
    loyalty: {
      transport: 'down',
      typeDefs: federation(['@key']) + 'type Customer @key(fields: "id") { id: ID! points: Int strictPoints: Int! } type Query { pointsTable: [Int!] }',
    },
    shipping: {
      transport: 'http-500',
      typeDefs: federation(['@key']) + 'type Order @key(fields: "id") { id: ID! eta: String strictEta: String! } type Query { carriers: [String!]! }',
    },
    reviews: {
      transport: 'not-json',
      typeDefs: federation(['@key']) + 'type Order @key(fields: "id") { id: ID! rating: Int } type Query { topRated: [Order!] }',
    },
  },
  cases: [
    { name: 'a nullable root field failing', query: '{ broken orders { id } }' },
    { name: 'a non-null root field failing: data is null', query: '{ brokenStrict orders { id } }' },
    { name: 'a nullable entity field failing for one entity', query: '{ orders { id customer { id email } } }' },
    {
      name: 'a non-null entity field failing: its entity becomes null, then the non-null customer, then the order (list items non-null): the list',
      query: '{ orders { id customer { name } } }',
    },
    {
      name: 'the same, under a nullable list of nullable items',
      query: '{ maybeOrders { id customer { name } } }',
      stockWrong: {
        why: ENTITY_NOT_FOUND,
        expected: {
          data: { maybeOrders: [{ id: 'o1', customer: { name: 'Customer c1' } }, null, null, null] },
          errors: ['maybeOrders.1.customer.name: no name for c2', 'maybeOrders.2.customer.name: Cannot return null for non-nullable field Customer.name.'],
        },
      },
    },
    {
      name: 'an entity the subgraph cannot find (null in _entities), a non-null field of it selected',
      query: '{ maybeOrders { id customer { id vip } } }',
      stockWrong: {
        why: ENTITY_NOT_FOUND,
        expected: {
          data: { maybeOrders: [{ id: 'o1', customer: { id: 'c1', vip: true } }, null, null, null] },
          errors: [
            'maybeOrders.1.customer.vip: Cannot return null for non-nullable field Customer.vip.',
            'maybeOrders.2.customer.vip: Cannot return null for non-nullable field Customer.vip.',
          ],
        },
      },
    },
    {
      name: 'a non-null field returned null without an error',
      query: '{ maybeOrders { customer { vip } } }',
      stockWrong: {
        why: ENTITY_NOT_FOUND,
        expected: {
          data: { maybeOrders: [{ customer: { vip: true } }, null, null, null] },
          errors: [
            'maybeOrders.1.customer.vip: Cannot return null for non-nullable field Customer.vip.',
            'maybeOrders.2.customer.vip: Cannot return null for non-nullable field Customer.vip.',
          ],
        },
      },
    },
    { name: 'a null in a non-null field of a nested object, nullable above', query: '{ orders { customer { address { city } } } }' },
    { name: 'null in a non-null item of a nullable list', query: '{ orders { id lines { sku qty } } }' },
    { name: 'an error in a nullable field inside a list', query: '{ orders { lines { note } } }' },
    { name: 'null propagation three levels deep, stopped by the first nullable parent', query: '{ deep { level2 { level3 { value } } } }' },
    {
      name: 'a subgraph that is down, at the root',
      query: '{ orders { id } pointsTable }',
      stockWrong: {
        why: FETCH_FAILED,
        expected: { data: { orders: [{ id: 'o1' }, { id: 'o2' }, { id: 'o3' }], pointsTable: null }, errors: [`pointsTable: ${DOWN}`] },
      },
    },
    {
      name: 'a subgraph that is down, behind entities, next to a field error that nulls everything',
      query: '{ orders { id customer { name points } } }',
      stockWrong: {
        why: FETCH_FAILED,
        expected: { data: null, errors: ['orders.1.customer.name: no name for c2', ...inEachOrder('orders', 'customer.points', DOWN)] },
      },
    },
    {
      name: 'a subgraph that is down, behind entities: a non-null field',
      query: '{ maybeOrders { id customer { strictPoints } } }',
      stockWrong: {
        why: FETCH_FAILED,
        expected: { data: { maybeOrders: [null, null, null, null] }, errors: inEachOrder('maybeOrders', 'customer.strictPoints', DOWN) },
      },
    },
    {
      name: 'a subgraph answering HTTP 500, nullable entity field',
      query: '{ orders { id eta } }',
      stockWrong: {
        why: FETCH_FAILED,
        expected: {
          data: { orders: orders.map(({ id }) => ({ id, eta: null })) },
          errors: inEachOrder('orders', 'eta', HTTP_500),
        },
      },
    },
    {
      name: 'a subgraph answering HTTP 500, non-null root field',
      query: '{ carriers orders { id } }',
      stockWrong: { why: FETCH_FAILED, expected: { data: null, errors: [`carriers: ${HTTP_500}`] } },
    },
    {
      name: 'a subgraph answering HTTP 500, a non-null entity field',
      query: '{ maybeOrders { id strictEta } }',
      stockWrong: {
        why: FETCH_FAILED,
        expected: { data: { maybeOrders: [null, null, null, null] }, errors: inEachOrder('maybeOrders', 'strictEta', HTTP_500) },
      },
    },
    {
      name: 'a subgraph answering HTML instead of JSON',
      query: '{ orders { id rating } }',
      stockWrong: {
        why: FETCH_FAILED,
        expected: {
          data: { orders: orders.map(({ id }) => ({ id, rating: null })) },
          errors: inEachOrder('orders', 'rating', NOT_JSON),
        },
      },
    },
    {
      name: 'every failure at once, each where it happened',
      query: '{ broken maybeOrders { id eta rating customer { email points address { city } } lines { sku note } } }',
      stockWrong: {
        why: FETCH_FAILED,
        expected: {
          data: {
            broken: null,
            maybeOrders: [
              { id: 'o1', eta: null, rating: null, customer: { email: null, points: null, address: { city: 'Paris' } }, lines: [{ sku: 'b', note: 'ok' }] },
              { id: 'o2', eta: null, rating: null, customer: { email: 'c2@example.com', points: null, address: null }, lines: null },
              { id: 'o3', eta: null, rating: null, customer: { email: null, points: null, address: null }, lines: null },
              null,
            ],
          },
          errors: [
            'broken: the orders subgraph cannot say',
            'maybeOrders.0.customer.email: email hidden',
            'maybeOrders.1.customer.address.city: Cannot return null for non-nullable field Address.city.',
            'maybeOrders.1.lines.1.sku: Cannot return null for non-nullable field Line.sku.',
            'maybeOrders.2.lines: no note',
            ...inEachOrder('maybeOrders', 'customer.points', DOWN),
            ...inEachOrder('maybeOrders', 'eta', HTTP_500),
            ...inEachOrder('maybeOrders', 'rating', NOT_JSON),
          ],
        },
      },
    },
    {
      name: 'a subgraph answering data null for its non-null root field: its other root fields are part of that failure, not errors of their own',
      query: '{ strictOrders { id } brokenStrict }',
    },
  ],
  generated: {
    count: 50,
    seed: 77,
    // Stock reports no error where these are null (the cases above): the fields of the subgraphs that fail, the non-null
    // fields of a customer the subgraph cannot find.
    excludeFields: [
      'Query.pointsTable',
      'Customer.points',
      'Customer.strictPoints',
      'Query.carriers',
      'Order.eta',
      'Order.strictEta',
      'Query.topRated',
      'Order.rating',
      'Customer.name',
      'Customer.vip',
    ],
  },
});

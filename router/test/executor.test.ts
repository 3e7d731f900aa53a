import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeBenchSupergraph } from '../../bench/gateways/harness';
import { serveAll } from '../../bench/gateways/subgraphs';
import { startLibrary, type LibraryFixture } from './executor-fixture';
import { comparable, OurExecutor, PLANNERS, StockGateway } from './federation/harness';

/**
 * The differential test of our plan executor: each operation runs through stock @apollo/gateway and
 * through ours (with each planner), over the same supergraph and the same real HTTP subgraphs; the
 * responses must have equal `data` and errors at equal paths. The Federation 2 features, fixture by
 * fixture, are in federation/.
 */

const root = join(__dirname, '../..');

type Operation = [name: string, query: string, variables?: Record<string, unknown>];
/** As objects: a table row shorter than the test's parameters would make Jest pass a `done` callback. */
function cases(operations: Operation[]): { name: string; query: string; variables?: Record<string, unknown> }[] {
  return operations.map(([name, query, variables]) => ({ name, query, variables }));
}

describe('our plan executor against stock @apollo/gateway, on the gateway benchmark’s supergraph (four subgraphs, deep entity graph)', () => {
  let subgraphs: Awaited<ReturnType<typeof serveAll>>;
  let stock: StockGateway;
  let ours: OurExecutor;
  beforeAll(async () => {
    subgraphs = await serveAll(0);
    const sdl = composeBenchSupergraph(subgraphs.urls);
    stock = new StockGateway(sdl, subgraphs.urls);
    await stock.start();
    ours = new OurExecutor(sdl, subgraphs.urls);
  });
  afterAll(async () => {
    await stock?.stop();
    await subgraphs?.stop();
  });

  const operations: Operation[] = [
    ['the benchmark query (fragments, @requires, @provides, entities four levels deep)', readFileSync(join(root, 'bench/gateways/query.graphql'), 'utf8')],
    ['aliases, on root and entity fields', '{ me { id handle: username who: name } top: topProducts(first: 2) { upc cost: price ship: shippingEstimate } }'],
    [
      'one response key selected twice with different subselections (merged, spec §6.3.2)',
      '{ users { ...Reviews reviews { id author { id } } } } fragment Reviews on User { reviews { body product { name } } }',
    ],
    ['__typename at every level, root included', '{ __typename topProducts(first: 1) { __typename reviews { __typename author { __typename username } } } }'],
    ...[true, false].flatMap((withReviews): [string, string, Record<string, unknown>][] =>
      [true, false].map((noPrice) => [
        `@include/@skip on variables (withReviews ${withReviews}, noPrice ${noPrice})`,
        `query($withReviews: Boolean!, $noPrice: Boolean = false) {
           topProducts { name price @skip(if: $noPrice) shippingEstimate @skip(if: $noPrice) reviews @include(if: $withReviews) { body author { username name } } }
           ... @include(if: $withReviews) { me { reviews { id } } }
         }`,
        { withReviews, noPrice },
      ]),
    ),
    ['a variable with a default, used in an argument', 'query($n: Int = 3) { topProducts(first: $n) { upc inStock } }'],
  ];

  describe.each(PLANNERS)('planned by %s', (planner) => {
    it.each(cases(operations))('$name', async ({ query, variables }) => {
      const expected = await stock.execute(query, variables);
      expect(expected.errors).toEqual([]);
      expect(comparable(await ours.execute(planner, query, variables))).toEqual(expected);
    });
  });
});

describe('our plan executor against stock @apollo/gateway, on a library supergraph (union, interface, mutation, failing fields)', () => {
  let library: LibraryFixture;
  let stock: StockGateway;
  let ours: OurExecutor;
  beforeAll(async () => {
    library = await startLibrary();
    stock = new StockGateway(library.supergraphSdl, library.urls);
    await stock.start();
    ours = new OurExecutor(library.supergraphSdl, library.urls);
  });
  afterAll(async () => {
    await stock?.stop();
    await library?.stop();
  });

  const operations: Operation[] = [
    [
      'fragments on a union and an interface, with fields from another subgraph',
      '{ shelf { __typename ... on Book { title rating } ... on Film { title director } ... on Node { id } } }',
    ],
    [
      'an interface field and a named fragment on a possible type',
      'query($id: ID!) { node(id: $id) { id ...B } } fragment B on Book { title r: rating }',
      { id: '3' },
    ],
    ['a nullable field failing in a subgraph: null there, the error at its path (`_entities` mapped back)', '{ books { id title flakyRating } }'],
    [
      'one failing entity reached on two paths (one representation when the fetch batches them): an error at each path',
      '{ books { id flakyRating } shelf { ... on Book { id flakyRating } } }',
    ],
    ['a non-null field failing: null bubbles to the nearest nullable parent (the list, since items are non-null)', '{ books { id strictRating } }'],
    ['a non-null failure under non-null parents all the way: data itself is null', '{ shelf { ... on Book { strictRating } } }'],
    [
      'mutations in order: the second sees the first’s write',
      'mutation { added: addBook(title: "Neuromancer") { id title rating } renamed: renameBook(id: "4", title: "Count Zero") { id title } }',
    ],
  ];

  describe.each(PLANNERS)('planned by %s', (planner) => {
    it.each(cases(operations))('$name', async ({ query, variables }) => {
      library.reset();
      const expected = await stock.execute(query, variables);
      library.reset();
      expect(comparable(await ours.execute(planner, query, variables))).toEqual(expected);
    });
  });

  it('the failing cases really fail: errors at their paths, and data nulled as the spec says', async () => {
    library.reset();
    const flaky = await ours.execute('apollo', '{ books { id flakyRating } }');
    expect(flaky.data).toEqual({
      books: [
        { id: '1', flakyRating: 1 },
        { id: '2', flakyRating: null },
        { id: '3', flakyRating: 3 },
      ],
    });
    expect(flaky.errors?.map((error) => error.path)).toEqual([['books', 1, 'flakyRating']]);
    const strict = await ours.execute('apollo', '{ books { id strictRating } }');
    expect(strict.data).toEqual({ books: null });
    expect(strict.errors?.map((error) => error.path)).toEqual([['books', 1, 'strictRating']]);
    expect((await ours.execute('apollo', '{ shelf { ... on Book { strictRating } } }')).data).toBeNull();
  });
});

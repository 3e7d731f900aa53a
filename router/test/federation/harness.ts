import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { execute, parse, validate, type GraphQLSchema } from 'graphql';
import type { DataSource, SubgraphResponse } from '../../src/execution/data-source';
import { compileOperation, executeCompiledOperation, type ExecutionResponse } from '../../src/execution/plan-executor';
import { createOperationPlanner, type OperationPlanner, type PlannerName } from '../../src/planning/operation-planner';
import { generateOperations, type GeneratorOptions } from './generated-operations';

/**
 * The differential federation harness: a fixture is a few in-process subgraphs (@apollo/subgraph
 * schemas served over real HTTP), composed with @apollo/composition; every operation runs through
 * stock @apollo/gateway and through our executor on each planner, and the responses must be equal.
 */

export const federation = (imports: string[], version = '2.7') =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v${version}", import: ${JSON.stringify(imports)})\n`;

/** One subgraph of a fixture. */
export interface SubgraphDefinition {
  typeDefs: string;
  resolvers?: GraphQLResolverMap<unknown>;
  /**
   * How it answers over HTTP. Default 'graphql' (executes the request). 'http-500': status 500 with
   * a GraphQL error body; 'not-json': status 200 with an HTML page; 'down': nothing listens.
   */
  transport?: 'graphql' | 'http-500' | 'not-json' | 'down';
}

export interface RunningSubgraphs {
  urls: Record<string, string>;
  stop(): Promise<void>;
}

/** Serves each subgraph on its own port of 127.0.0.1; a 'down' subgraph gets a port that was free and is closed again. */
export async function startSubgraphs(definitions: Record<string, SubgraphDefinition>): Promise<RunningSubgraphs> {
  const entries = Object.entries(definitions);
  const servers = await Promise.all(entries.map(([, definition]) => serve(definition)));
  const urls = Object.fromEntries(entries.map(([name], index) => [name, `http://127.0.0.1:${(servers[index]!.address() as AddressInfo).port}/graphql`]));
  await Promise.all(entries.map(([, definition], index) => (definition.transport === 'down' ? close(servers[index]!) : undefined)));
  const running = servers.filter((_, index) => entries[index]![1].transport !== 'down');
  return { urls, stop: async () => void (await Promise.all(running.map(close))) };
}

function close(server: Server): Promise<void> {
  return new Promise((done) => server.close(() => done()));
}

function serve({ typeDefs, resolvers, transport = 'graphql' }: SubgraphDefinition): Promise<Server> {
  const schema = buildSubgraphSchema({ typeDefs: parse(typeDefs), resolvers });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      if (transport === 'http-500') {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ errors: [{ message: 'the subgraph failed' }] }));
        return;
      }
      if (transport === 'not-json') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html><body>Bad gateway</body></html>');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { query: string; variables?: Record<string, unknown>; operationName?: string };
      const document = parse(body.query);
      const errors = validate(schema, document);
      const result = errors.length > 0 ? { errors } : await execute({ schema, document, variableValues: body.variables, operationName: body.operationName });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(result));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The supergraph of some subgraphs, each routed at `urls[name]` (placeholders will do when fetches are routed by name). */
export function composeSupergraph(definitions: Record<string, SubgraphDefinition>, urls: Record<string, string> = {}): string {
  const composed = composeServices(
    Object.entries(definitions).map(([name, { typeDefs }]) => ({ name, url: urls[name] ?? `http://${name}.invalid/graphql`, typeDefs: parse(typeDefs) })),
  );
  if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('\n'));
  return composed.supergraphSdl;
}

/** What two responses must agree on. */
export interface Comparable {
  data: unknown;
  /** The data as serialised: equal only when the keys come in the same order too (the client's selection order, spec §6.3.2). */
  serialised: string;
  /**
   * Each error as `path: message`, sorted (a multiset). A pathless error (a fetch that failed as a whole)
   * counts without its message, which is the data source's, and once: how many fetches failed
   * depends on the plan (Hive batches paths Apollo fetches one by one).
   */
  errors: string[];
}

export function comparable(response: { data?: unknown; errors?: readonly { path?: readonly (string | number)[]; message: string }[] }): Comparable {
  return {
    data: response.data,
    serialised: JSON.stringify(response.data),
    errors: [
      ...(response.errors ?? []).filter((error) => error.path).map((error) => `${error.path!.join('.')}: ${error.message}`),
      ...((response.errors ?? []).some((error) => !error.path) ? ['(no path)'] : []),
    ].sort(),
  };
}

/** Stock @apollo/gateway behind Apollo Server; each subgraph reached at `urls[name]` whatever the supergraph says. */
export class StockGateway {
  private readonly server: ApolloServer;
  constructor(supergraphSdl: string, urls: Record<string, string>) {
    this.server = new ApolloServer({
      gateway: new ApolloGateway({ supergraphSdl, buildService: ({ name, url }) => new RemoteGraphQLDataSource({ url: urls[name] ?? url }) }),
    });
  }
  start(): Promise<void> {
    return this.server.start();
  }
  stop(): Promise<void> {
    return this.server.stop();
  }
  async execute(query: string, variables?: Record<string, unknown>, operationName?: string): Promise<Comparable> {
    const response = await this.server.executeOperation({ query, variables, operationName });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return comparable(response.body.singleResult);
  }
}

/** Ours: each planner through the planner interface (built once), and our executor over HTTP to the subgraphs. */
export class OurExecutor {
  readonly apiSchema: GraphQLSchema;
  private readonly planners = new Map<PlannerName, OperationPlanner>();
  constructor(
    private readonly supergraphSdl: string,
    private readonly urls: Record<string, string>,
  ) {
    this.apiSchema = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
  }
  /**
   * As the router's data source (execution/subgraph-data-source.ts) answers: a subgraph that cannot
   * be reached, answers other than 2xx or answers no JSON fails the fetch as a whole, with an error
   * naming the subgraph and no data.
   */
  readonly dataSource: DataSource = async (serviceName, request) => {
    const failed = (why: string): SubgraphResponse => ({ errors: [{ message: `Subgraph "${serviceName}" ${why}`, extensions: { serviceName } }] });
    const response = await fetch(this.urls[serviceName]!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    }).catch(() => undefined);
    if (!response) return failed('is unreachable');
    if (!response.ok) return failed(`answered HTTP ${response.status}`);
    return ((await response.json().catch(() => undefined)) as SubgraphResponse | undefined) ?? failed('answered no JSON');
  };
  planner(name: PlannerName): OperationPlanner {
    let planner = this.planners.get(name);
    if (!planner) this.planners.set(name, (planner = createOperationPlanner(name, this.supergraphSdl)));
    return planner;
  }
  async execute(planner: PlannerName, query: string, variables?: Record<string, unknown>, operationName?: string): Promise<ExecutionResponse> {
    const document = parse(query);
    const plan = this.planner(planner).plan({ text: query, document, operationName });
    return executeCompiledOperation(this.apiSchema, compileOperation(this.apiSchema, document, plan, operationName), variables, this.dataSource);
  }
}

export const PLANNERS: PlannerName[] = ['apollo', 'hive'];

/** One operation of a differential suite. */
export interface DifferentialCase {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /** Which of the document's operations, when it has several. */
  operationName?: string;
  /**
   * Stock @apollo/gateway answers this one wrong: ours must answer `expected` (what the spec
   * section in `why` says), and stock must still differ from it (so the note goes when stock is fixed).
   */
  stockWrong?: { why: string; expected: { data: unknown; errors?: string[] } };
  /** A planner that cannot plan this operation, or plans it wrong, and why: the case is expected to fail on it. */
  plannerLimitation?: Partial<Record<PlannerName, string>>;
}

export interface DifferentialFixture {
  subgraphs: Record<string, SubgraphDefinition>;
  /** Restores the subgraphs' data: run before each execution, so mutations see equal state. */
  reset?: () => void;
  cases: DifferentialCase[];
  /** Random queries over the fixture's API schema, in addition to `cases`. */
  generated?: GeneratorOptions;
  /** Generated cases, by index, that stock answers wrong or a planner cannot plan: as for `cases`. */
  generatedKnown?: Record<number, Pick<DifferentialCase, 'stockWrong' | 'plannerLimitation'>>;
}

/** The whole suite of one fixture: each case on each planner, stock's answer first. */
export function describeDifferential(title: string, fixture: DifferentialFixture): void {
  const supergraphSdl = composeSupergraph(fixture.subgraphs);
  const generated = fixture.generated ? generateOperations(Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema(), fixture.generated) : [];
  const cases: DifferentialCase[] = [
    ...fixture.cases,
    ...generated.map((operation, index) => ({
      name: `generated #${index}: ${operation.query}`,
      ...operation,
      ...fixture.generatedKnown?.[index],
    })),
  ];

  describe(title, () => {
    let subgraphs: RunningSubgraphs;
    let stock: StockGateway;
    let ours: OurExecutor;
    beforeAll(async () => {
      subgraphs = await startSubgraphs(fixture.subgraphs);
      stock = new StockGateway(supergraphSdl, subgraphs.urls);
      await stock.start();
      ours = new OurExecutor(supergraphSdl, subgraphs.urls);
    });
    afterAll(async () => {
      await stock?.stop();
      await subgraphs?.stop();
    });

    const stockAnswer = async ({ query, variables, operationName }: DifferentialCase): Promise<Comparable> => {
      const ask = () => {
        fixture.reset?.();
        return stock.execute(query, variables, operationName);
      };
      const first = await ask();
      // A fetch of stock's that failed as a whole is asked once more: on a loaded machine its client
      // can lose a connection (a CI run saw it), while a failure the case causes comes back the same.
      return first.errors.includes('(no path)') ? ask() : first;
    };
    const ourAnswer = async (planner: PlannerName, { query, variables, operationName }: DifferentialCase): Promise<Comparable> => {
      fixture.reset?.();
      return comparable(await ours.execute(planner, query, variables, operationName));
    };

    describe.each(PLANNERS)('planned by %s', (planner) => {
      for (const testCase of cases) {
        const limitation = testCase.plannerLimitation?.[planner];
        // A known limitation: recorded as failing, so the run says so when it is lifted.
        const test = limitation ? it.failing : it;
        const name = [
          testCase.name,
          ...(testCase.stockWrong ? [`stock is wrong: ${testCase.stockWrong.why}`] : []),
          ...(limitation ? [`${planner} planner limitation: ${limitation}`] : []),
        ].join(' — ');
        test(name, async () => {
          const expected = await stockAnswer(testCase);
          const wrong = testCase.stockWrong;
          if (!wrong) {
            expect(await ourAnswer(planner, testCase)).toEqual(expected);
            return;
          }
          const spec = { data: wrong.expected.data, serialised: JSON.stringify(wrong.expected.data), errors: [...(wrong.expected.errors ?? [])].sort() };
          expect(expected).not.toEqual(spec);
          expect(await ourAnswer(planner, testCase)).toEqual(spec);
        });
      }
    });
  });
}

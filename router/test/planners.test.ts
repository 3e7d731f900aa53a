import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { QueryPlanner as HiveQueryPlanner } from '@graphql-hive/router-query-planner';
import { buildSchema, lexicographicSortSchema, parse, printSchema, type GraphQLSchema } from 'graphql';
import { composeBenchSupergraph } from '../../bench/gateways/harness';
import { AuthorizationPolicy } from '../src/authorization';
import { createOperationPlanner, type OperationPlanner, type PlannerName } from '../src/planning/operation-planner';
import type { FetchNode, OperationPlan } from '../src/planning/plan';
import { SubscriptionPlanner } from '../src/subscriptions/planner';
import { fetches, outline } from './plan-outline';

const root = join(__dirname, '../..');
const platformSdl = new AuthorizationPolicy(readFileSync(join(root, 'supergraph.graphql'), 'utf8')).gatewaySdl;
const benchSdl = composeBenchSupergraph({ accounts: 'http://accounts', inventory: 'http://inventory', products: 'http://products', reviews: 'http://reviews' });
const federation = (imports: string[]) => `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ${JSON.stringify(imports)})\n`;
/** A fixture: media owns the interface Media, reviews extends it as an object (@interfaceObject). */
const interfaceObjectSdl = composeServices([
  {
    name: 'media',
    url: 'http://media',
    typeDefs: parse(
      federation(['@key']) +
        `type Query { media: [Media] }
         interface Media @key(fields: "id") { id: ID! title: String }
         type Book implements Media @key(fields: "id") { id: ID! title: String author: String }
         type Movie implements Media @key(fields: "id") { id: ID! title: String director: String }`,
    ),
  },
  {
    name: 'reviews',
    url: 'http://reviews',
    typeDefs: parse(federation(['@key', '@interfaceObject']) + 'type Media @key(fields: "id") @interfaceObject { id: ID! reviews: [String] }'),
  },
]).supergraphSdl!;
const PLANNERS: PlannerName[] = ['apollo', 'hive'];
const platform = Object.fromEntries(PLANNERS.map((name) => [name, createOperationPlanner(name, platformSdl)])) as Record<PlannerName, OperationPlanner>;
const bench = Object.fromEntries(PLANNERS.map((name) => [name, createOperationPlanner(name, benchSdl)])) as Record<PlannerName, OperationPlanner>;

function plan(planner: OperationPlanner, text: string, operationName?: string): OperationPlan {
  return planner.plan({ text, document: parse(text), operationName });
}

/** The field names a representation sends: the selections of its one type condition. */
function requiredFields(fetch: FetchNode): string[] {
  const [fragment] = fetch.entities![0]!.requires;
  return fragment!.selections!.map((selection) => (selection.kind === 'Field' ? selection.name : '...'));
}

function clientOperation(file: string): string {
  return readFileSync(join(root, 'clients/operations', file), 'utf8');
}

describe.each(PLANNERS)('the %s planner behind the router’s planner interface, on the platform supergraph', (name) => {
  const planner = platform[name];

  it('plans an entity across subgraphs: the owner first, then the other subgraphs’ fields from the entity’s key, in parallel', () => {
    const { node } = plan(planner, 'query Me { me { id email tier projects { name } leadScore { score } } }');
    expect(outline(node)).toBe('Sequence(users, Parallel(ai <- me, projects <- me))');
    const [users, ai, projects] = fetches(node);
    expect(users).toMatchObject({ serviceName: 'users', operationKind: 'query', variableUsages: [] });
    expect(users!.entities).toBeUndefined();
    expect(projects!.entities).toEqual([
      {
        representationsVariable: 'representations',
        resultKey: '_entities',
        paths: [['me']],
        requires: [
          {
            kind: 'InlineFragment',
            typeCondition: 'User',
            selections: [expect.objectContaining({ name: '__typename' }), expect.objectContaining({ name: 'id' })],
          },
        ],
        inputRewrites: [],
        outputRewrites: [],
      },
    ]);
    // leadScore @requires the user's tier, createdAt and wallets: the users fetch reads them for the ai fetch.
    expect(ai!.entities![0]!.requires[0]).toMatchObject({ typeCondition: 'User' });
    expect(requiredFields(ai!)).toEqual(expect.arrayContaining(['__typename', 'id', 'tier', 'createdAt', 'walletAddresses']));
    expect(users!.operation).toMatch(/createdAt/);
  });

  it('plans the portal’s operations (clients/operations/ai.graphql) with the client’s variables on the fetches that use them', () => {
    const text = clientOperation('ai.graphql');
    expect(outline(plan(planner, text, 'SemanticSearch').node)).toBe('Sequence(ai, projects <- semanticSearch.@.project)');
    expect(outline(plan(planner, text, 'SimilarProjects').node)).toBe('Sequence(projects, ai <- project, projects <- project.similarProjects.@.project)');
    const [ai] = fetches(plan(planner, text, 'SemanticSearch').node);
    expect([...ai!.variableUsages].sort()).toEqual(['first', 'query']);
  });

  it('plans each mutation of clients/operations/auth.graphql as one mutation fetch to users', () => {
    for (const operationName of ['Register', 'Login', 'SiweNonce', 'SignInWithEthereum', 'CreateApiKey', 'RevokeApiKey']) {
      const { node } = plan(planner, clientOperation('auth.graphql'), operationName);
      expect(outline(node)).toBe('users');
      expect(node).toMatchObject({ kind: 'Fetch', operationKind: 'mutation' });
    }
  });

  it('runs mutation root fields in the order written, one fetch each, even when a subgraph comes back', () => {
    const { node } = plan(
      planner,
      'mutation M($k: ID!, $t: ID!, $k2: ID!) { a: revokeApiKey(id: $k) { id } b: cancelTask(id: $t) { id } c: revokeApiKey(id: $k2) { id } }',
    );
    expect(outline(node)).toBe('Sequence(users, projects, users)');
    expect(fetches(node).map((fetch) => fetch.variableUsages)).toEqual([['k'], ['t'], ['k2']]);
  });

  it('turns @skip on a whole entity fetch into a Condition on the variable, and keeps @include on a field inside the fetch', () => {
    const { node } = plan(planner, 'query C($w: Boolean!) { me { id walletAddresses @include(if: $w) projects @skip(if: $w) { name } } }');
    expect(outline(node)).toBe('Sequence(users, If $w ((nothing)) else (projects <- me))');
    const [users] = fetches(node);
    expect(users!.operation).toMatch(/walletAddresses ?@include\(if: ?\$w\)/);
    expect(users!.variableUsages).toEqual(['w']);
  });

  it('plans a subscription as its subgraph subscription, then the entity fetches that complete each event', () => {
    const { node } = plan(planner, 'subscription { accountUpdated { id tier projects { name } } }');
    expect(outline(node)).toBe('Subscription(users; projects <- accountUpdated)');
    expect(node).toMatchObject({ kind: 'Subscription', primary: { kind: 'Fetch', serviceName: 'users', operationKind: 'subscription' } });
  });

  it('sends a @requires field’s requirements, nested ones included, in the representations of the fetch that resolves it', () => {
    const { node } = plan(planner, 'query { me { payments { id fraudScore { score } } } }');
    const ai = fetches(node).find((fetch) => fetch.serviceName === 'ai')!;
    expect(ai.entities![0]!.paths).toEqual([['me', 'payments', '@']]);
    const payment = ai.entities![0]!.requires[0]!;
    expect(payment).toMatchObject({ kind: 'InlineFragment', typeCondition: 'Payment' });
    expect(payment.selections).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'amountInMajorUnits' }),
        expect.objectContaining({ name: 'payerFailedPaymentsLast24h' }),
        expect.objectContaining({ name: 'user', selections: [expect.objectContaining({ name: 'createdAt' })] }),
      ]),
    );
  });
});

describe.each(PLANNERS)('the %s planner on an @interfaceObject', (name) => {
  const planner = createOperationPlanner(name, interfaceObjectSdl);

  it('sends a Book to the subgraph that only knows Media as a Media: an input rewrite of __typename, only on objects of type Media', () => {
    const { node } = plan(planner, '{ media { id reviews ... on Book { author } } }');
    expect(outline(node)).toBe('Sequence(media, reviews <- media.@)');
    const [, reviews] = fetches(node);
    expect(reviews!.entities![0]!.inputRewrites).toEqual([
      { kind: 'ValueSetter', path: [{ typenameIn: ['Media'] }, { key: '__typename' }], setValueTo: 'Media' },
    ]);
    expect(reviews!.entities![0]!.outputRewrites).toEqual([]);
  });
});

describe('the API schema the two planners plan against', () => {
  it('is the same: the pipeline validates against Apollo’s, and Hive’s agrees line for line (it only writes out __schema, __type and composed directives)', () => {
    const printed = (schema: GraphQLSchema) => printSchema(lexicographicSortSchema(schema)).split('\n');
    const apollo = printed(Supergraph.build(platformSdl).apiSchema().toGraphQLJSSchema());
    const hiveSchema = buildSchema(new HiveQueryPlanner(platformSdl).consumerSchema);
    const hive = printed(hiveSchema);
    // Hive keeps the directives subgraphs compose into the supergraph (@composeDirective), which Apollo's API schema leaves out.
    const composed = [hiveSchema.getDirective('nonRetryable')?.description, 'directive @nonRetryable on FIELD_DEFINITION'];
    expect(hive.filter((line) => !apollo.includes(line))).toEqual([...composed, '  __schema: __Schema!', '  __type(name: String!): __Type']);
    expect(apollo.filter((line) => !hive.includes(line))).toEqual([]);
  });
});

describe('the subscription planner, on the planner interface', () => {
  it('plans @defer in a subscription inline, as the gateway does, where Apollo’s planner with @defer enabled refuses it', () => {
    const text = 'subscription { accountUpdated { id ... @defer { projects { name } } } }';
    expect(() => platform.apollo.plan({ text, document: parse(text) })).toThrow('@defer is not supported on subscriptions');
    const plan = new SubscriptionPlanner(platformSdl).plan(parse(text), undefined, text);
    expect(plan.primary).toMatchObject({ kind: 'Fetch', serviceName: 'users', operationKind: 'subscription' });
    expect(plan.rest).toMatchObject({ kind: 'Fetch', serviceName: 'projects', entities: [{ paths: [['accountUpdated']] }] });
  });
});

describe('where the two planners’ plans differ (both correct unless said)', () => {
  it('@requires: Apollo reads the required fields in the fetch that reaches the payments; Hive fetches them from payments again, one more round trip', () => {
    const text = 'query { me { payments { id fraudScore { score } } } }';
    expect(outline(plan(platform.apollo, text).node)).toBe('Sequence(users, payments <- me, users <- me.payments.@.user, ai <- me.payments.@)');
    expect(outline(plan(platform.hive, text).node)).toBe(
      'Sequence(users, payments <- me, payments <- me.payments.@, users <- me.payments.@.user, ai <- me.payments.@)',
    );
  });

  it('a fetch that waits for another: Apollo starts it as soon as its own input is there; Hive plans in waves, after the whole previous wave (same depth here)', () => {
    const text = clientOperation('ai.graphql');
    expect(outline(plan(platform.apollo, text, 'MyProjectsAndRecommendations').node)).toBe(
      'Sequence(users, Parallel(Sequence(ai <- me, projects <- me.recommendations.@.project), projects <- me))',
    );
    expect(outline(plan(platform.hive, text, 'MyProjectsAndRecommendations').node)).toBe(
      'Sequence(users, Parallel(ai <- me, projects <- me), projects <- me.recommendations.@.project)',
    );
  });

  it('@defer: Apollo plans a Defer node; Hive’s planner 0.0.38 plans the deferred fields inline (allowed: a server may ignore @defer, but there is nothing to stream)', () => {
    const text = 'query { me { id ... @defer(label: "projects") { projects { name } } } }';
    const apollo = plan(platform.apollo, text).node;
    expect(outline(apollo)).toBe('Defer(users; projects@me: projects <- me)');
    expect(apollo).toMatchObject({ kind: 'Defer', deferred: [{ label: 'projects', path: ['me'], dependsOn: [fetches(apollo)[0]!.id] }] });
    expect(outline(plan(platform.hive, text).node)).toBe('Sequence(users, projects <- me)');
  });

  it('only __typename of the root: Apollo fetches nothing (the executor answers it); Hive asks a subgraph', () => {
    expect(plan(platform.apollo, '{ __typename }').node).toBeUndefined();
    expect(plan(platform.hive, '{ __typename }').node).toMatchObject({ kind: 'Fetch', operation: '{__typename}' });
  });

  it('fetch names: Apollo names each fetch after the operation (Me__users__0); Hive sends them unnamed', () => {
    const text = 'query Me { me { id projects { name } } }';
    expect(fetches(plan(platform.apollo, text).node).map((fetch) => fetch.operationName)).toEqual(['Me__users__0', 'Me__projects__1']);
    expect(fetches(plan(platform.hive, text).node).map((fetch) => fetch.operationName)).toEqual([undefined, undefined]);
  });

  it('the gateway benchmark’s query: Apollo plans 16 fetches, one per path; Hive 6, one per subgraph and wave, batching every path of an entity (same depth, 4)', () => {
    const text = readFileSync(join(root, 'bench/gateways/query.graphql'), 'utf8');
    const apollo = plan(bench.apollo, text).node;
    const hive = plan(bench.hive, text).node;
    expect(fetches(apollo)).toHaveLength(16);
    expect(outline(hive)).toBe(
      'Sequence(Parallel(products, accounts), ' +
        'Parallel(inventory <- topProducts.@, reviews <- topProducts.@; users.@), ' +
        'Parallel(products <- topProducts.@.reviews.@.author.reviews.@.product | users.@.reviews.@.product | users.@.reviews.@.product.reviews.@.author.reviews.@.product, ' +
        'accounts <- topProducts.@.reviews.@.author | users.@.reviews.@.product.reviews.@.author), ' +
        'inventory <- topProducts.@.reviews.@.author.reviews.@.product | users.@.reviews.@.product | users.@.reviews.@.product.reviews.@.author.reviews.@.product)',
    );
    // The reviews batch: two `_entities` aliases in one request, each with its own representations variable.
    const reviews = fetches(hive).find((fetch) => fetch.serviceName === 'reviews')!;
    expect(reviews.entities!.map((entity) => [entity.resultKey, entity.representationsVariable])).toEqual([
      ['_e0', '__batch_reps_0'],
      ['_e1', '__batch_reps_1'],
    ]);
    // shippingEstimate @requires price and weight, which products serves: both send them to inventory.
    for (const node of [apollo, hive]) {
      const inventory = fetches(node).filter((fetch) => fetch.serviceName === 'inventory' && fetch.operation.includes('shippingEstimate'));
      for (const fetch of inventory) {
        expect(requiredFields(fetch)).toEqual(expect.arrayContaining(['upc', 'price', 'weight']));
      }
    }
  });
});

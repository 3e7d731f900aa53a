import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { AuthorizationPolicy } from '../src/authorization';
import { NonRetryableFields } from '../src/non-retryable-fields';
import { createOperationPlanner, type PlannerName } from '../src/planning/operation-planner';
import { SubscriptionPlanner } from '../src/subscriptions/planner';
import { fetches } from './plan-outline';

/**
 * Which subgraph fetches select a field the supergraph marks @nonRetryable, for the fetches both
 * planners really make: at the root, inside an entity fetch, behind an alias, and not at all.
 */
const federation = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@composeDirective"])';
const NON_RETRYABLE = `extend schema @composeDirective(name: "@nonRetryable") @link(url: "https://supergraph.dev/non-retryable/v1.0", import: ["@nonRetryable"])
directive @nonRetryable on FIELD_DEFINITION`;
/** accounts owns User; writer adds a generated summary to it and a generated draft at the root, both marked, and a plain word count. */
const supergraphSdl = composeServices([
  {
    name: 'accounts',
    typeDefs: parse(`${federation}\ntype Query { me: User }\ntype User @key(fields: "id") { id: ID! name: String! }`),
    url: 'http://accounts',
  },
  {
    name: 'writer',
    typeDefs: parse(`${federation}\n${NON_RETRYABLE}
      type Query { draft(topic: String!): String! @nonRetryable wordCount(text: String!): Int! }
      type User @key(fields: "id") { id: ID! summary: String! @nonRetryable words: Int! }`),
    url: 'http://writer',
  },
]).supergraphSdl!;

describe.each<PlannerName>(['apollo', 'hive'])("the %s planner's fetches", (plannerName) => {
  const gatewaySdl = new AuthorizationPolicy(supergraphSdl).gatewaySdl;
  const planner = createOperationPlanner(plannerName, gatewaySdl);
  const marked = new NonRetryableFields(supergraphSdl, new SubscriptionPlanner(gatewaySdl).apiGraphQLSchema);
  /** Each fetch of the operation's plan, by subgraph: whether it selects a marked field. */
  const classified = (text: string) =>
    fetches(planner.plan({ text, document: parse(text) }).node).map((fetch) => [fetch.serviceName, marked.selectedBy(fetch.operation)]);

  it('a root field marked @nonRetryable', () => {
    expect(classified('{ draft(topic: "rain") }')).toEqual([['writer', true]]);
  });

  it('a marked field of an entity, selected inside the entity fetch', () => {
    expect(classified('{ me { name summary } }')).toEqual([
      ['accounts', false],
      ['writer', true],
    ]);
  });

  it('no marked field: neither a plain field of the same subgraph, nor an alias named like a marked field', () => {
    // The planners order the two root fetches differently.
    expect(classified('{ wordCount(text: "rain") me { words } }').sort()).toEqual([
      ['accounts', false],
      ['writer', false],
      ['writer', false],
    ]);
    expect(classified('{ me { summary: name draft: words } }')).toEqual([
      ['accounts', false],
      ['writer', false],
    ]);
  });
});

it("reads the platform's own supergraph: the AI subgraph's generation fields, and nothing else of it", () => {
  const platformSdl = readFileSync(join(__dirname, '../../supergraph.graphql'), 'utf8');
  const marked = new NonRetryableFields(platformSdl, new SubscriptionPlanner(new AuthorizationPolicy(platformSdl).gatewaySdl).apiGraphQLSchema);
  expect(marked.selectedBy('query ($p: String!) { generateContent(prompt: $p) { text } }')).toBe(true);
  expect(marked.selectedBy('subscription ($p: String!) { contentStream(prompt: $p) { delta } }')).toBe(true);
  expect(marked.selectedBy('query { embed(texts: ["x"]) { dimensions } }')).toBe(false);
});

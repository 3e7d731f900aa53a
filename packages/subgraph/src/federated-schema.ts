import 'reflect-metadata';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, type ClassType, type NonEmptyArray } from 'type-graphql';

export interface FederatedSchemaDefinition<TContext> {
  resolvers: NonEmptyArray<ClassType>;
  /** Types reachable only through field resolvers on entities owned elsewhere: type-graphql drops them otherwise. */
  orphanedTypes?: ClassType[];
  /** Federation directives the subgraph uses, e.g. ['@key', '@inaccessible']. */
  federationDirectives: string[];
  /** `__resolveReference` for each entity this subgraph can produce from a representation. */
  referenceResolvers: Record<string, (representation: Record<string, unknown>, context: TContext) => unknown>;
}

export const FEDERATION_VERSION = 'v2.7';

/**
 * Turns type-graphql classes into a federation subgraph schema. type-graphql builds an ordinary
 * schema; we print it with its directives, declare the federation spec it links, and let
 * @apollo/subgraph add `_service`, `_entities` and the reference resolvers.
 */
export async function buildFederatedSchema<TContext>(definition: FederatedSchemaDefinition<TContext>): Promise<GraphQLSchema> {
  const plain = await buildSchema({
    resolvers: definition.resolvers,
    orphanedTypes: definition.orphanedTypes,
    // The federation directives are not defined in type-graphql's schema, only used.
    skipCheck: true,
    validate: false,
    pubSub: topicPubSubUnsupported,
  });
  const imports = definition.federationDirectives.map((directive) => JSON.stringify(directive)).join(', ');
  const typeDefs = parse(
    `extend schema @link(url: "https://specs.apollo.dev/federation/${FEDERATION_VERSION}", import: [${imports}])\n` + printSchemaWithDirectives(plain),
  );
  const resolvers = createResolversMap(plain) as GraphQLResolverMap<unknown>;
  for (const [typeName, resolveReference] of Object.entries(definition.referenceResolvers)) {
    resolvers[typeName] = { ...resolvers[typeName], __resolveReference: resolveReference } as GraphQLResolverMap<unknown>[string];
  }
  return buildSubgraphSchema({ typeDefs, resolvers });
}

/**
 * type-graphql insists on a topic-based PubSub once a schema has subscriptions. Ours subscribe
 * through `@Subscription({ subscribe })` on the subgraph's EventBus instead, so topics are refused.
 */
const topicPubSubUnsupported = {
  publish(): void {
    throw new Error('Publish through the subgraph EventBus (@supergraph/pubsub), not type-graphql topics');
  },
  subscribe(): never {
    throw new Error('Declare subscriptions with @Subscription({ subscribe }), not topics');
  },
};

/** The SDL composition sees (what `_service { sdl }` returns). */
export function printFederatedSdl(schema: GraphQLSchema): string {
  return printSubgraphSchema(schema).trim() + '\n';
}

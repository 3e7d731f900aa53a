import { Supergraph, type Schema } from '@apollo/federation-internals';
import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type ValueNode } from 'graphql';
import { BoundedCache, MAX_CACHED_TEXT_BYTES } from '../bounded-cache';
import { compileResponseShape, type ObjectShape } from '../execution/response-shape';
import { ApolloOperationPlanner } from '../planning/apollo-planner';
import type { OperationPlanner } from '../planning/operation-planner';
import type { FetchNode, PlanNode } from '../planning/plan';

/** A subscription split the way federation executes it: one long-lived fetch, then per-event fetches, compiled once. */
export interface SubscriptionPlan {
  /** The subscription sent to the subgraph that owns the root field. */
  primary: FetchNode;
  /** Entity fetches that complete each event with fields from other subgraphs (absent when none are needed). */
  rest?: PlanNode;
  /** The client's response shape, each event completed onto it. */
  shape: ObjectShape;
  /** The root field's `after` argument as the subgraph receives it (a literal or a variable), when given: see `resumes`. */
  after?: ValueNode;
}

/**
 * Whether a subscription resumes after a position (its root field's `after` is set): it replays its
 * own past events first, so no other client subscription may share its upstream subscription.
 */
export function resumes(plan: SubscriptionPlan, variables: Record<string, unknown>): boolean {
  if (!plan.after) return false;
  if (plan.after.kind === Kind.VARIABLE) return variables[plan.after.name.value] != null;
  return plan.after.kind !== Kind.NULL;
}

/**
 * Plans subscriptions with Apollo's query planner through the router's planner interface, `@defer`
 * ignored (Apollo's planner refuses to defer in subscriptions; the fields arrive with each event),
 * and compiles the response shape our executor completes each event onto. Plans are cached per
 * document and operation name.
 */
export class SubscriptionPlanner {
  readonly apiSchema: Schema;
  readonly apiGraphQLSchema: GraphQLSchema;
  private readonly planner: OperationPlanner;
  private readonly cache = new BoundedCache<string, SubscriptionPlan>({ maxEntries: 1000, maxWeight: MAX_CACHED_TEXT_BYTES });

  constructor(supergraphSdl: string) {
    const supergraph = Supergraph.build(supergraphSdl);
    this.apiSchema = supergraph.apiSchema();
    // With @defer: clients may defer fragments (delivered incrementally, or in one response to clients that cannot take parts).
    this.apiGraphQLSchema = this.apiSchema.toGraphQLJSSchema({ includeDefer: true });
    this.planner = new ApolloOperationPlanner(supergraph, { defer: false });
  }

  /** `text` is the document's text (also the cache key). */
  plan(document: DocumentNode, operationName: string | undefined, text: string): SubscriptionPlan {
    const key = `${operationName ?? ''}\u0000${text}`;
    const cached = this.cache.get(key);
    if (cached) return cached;

    const { node } = this.planner.plan({ text, document, operationName });
    if (node?.kind !== 'Subscription') throw new Error('Not a subscription operation');
    const operation = document.definitions.find(
      (definition): definition is OperationDefinitionNode =>
        definition.kind === Kind.OPERATION_DEFINITION && (operationName === undefined || definition.name?.value === operationName),
    )!;
    const fragments = document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION);
    const plan: SubscriptionPlan = {
      primary: node.primary,
      rest: node.rest,
      shape: compileResponseShape(this.apiGraphQLSchema, operation, fragments),
      after: afterArgument(node.primary.operation),
    };
    this.cache.set(key, plan, text.length);
    return plan;
  }
}

/** The `after` argument of the root field of a subgraph subscription (one root field: GraphQL allows no more). */
function afterArgument(subgraphOperation: string): ValueNode | undefined {
  const operation = parse(subgraphOperation).definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const root = operation?.selectionSet.selections.find((selection) => selection.kind === Kind.FIELD);
  return root?.kind === Kind.FIELD ? root.arguments?.find((argument) => argument.name.value === 'after')?.value : undefined;
}

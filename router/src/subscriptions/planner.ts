import { Supergraph, operationFromDocument, type Schema } from '@apollo/federation-internals';
import { buildOperationContext } from '@apollo/gateway';
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import type { DocumentNode, GraphQLSchema } from 'graphql';

export type OperationContext = ReturnType<typeof buildOperationContext>;

/** A subscription split the way federation executes it: one long-lived fetch, then per-event fetches. */
export interface SubscriptionPlan {
  /** The subscription sent to the subgraph that owns the root field. */
  primary: FetchNode;
  /** Entity fetches that complete each event with fields from other subgraphs (absent when none are needed). */
  rest?: PlanNode;
  /** What the gateway's executor runs per event, primary first. */
  perEvent: QueryPlan;
  operationContext: OperationContext;
}

/**
 * Plans subscriptions with Apollo's query planner (which plans them; the stock gateway just
 * refuses to execute them). Plans are cached per document and operation name.
 */
export class SubscriptionPlanner {
  readonly supergraphSchema: GraphQLSchema;
  readonly apiSchema: Schema;
  readonly apiGraphQLSchema: GraphQLSchema;
  private readonly planner: QueryPlanner;
  private readonly cache = new Map<string, SubscriptionPlan>();
  private static readonly MAX_CACHED = 1000;

  constructor(supergraphSdl: string) {
    const supergraph = Supergraph.build(supergraphSdl);
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.apiSchema = supergraph.apiSchema();
    this.apiGraphQLSchema = this.apiSchema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(supergraph);
  }

  plan(document: DocumentNode, operationName: string | undefined, cacheKey: string): SubscriptionPlan {
    const key = `${operationName ?? ''}\u0000${cacheKey}`;
    const cached = this.cache.get(key);
    if (cached) return cached;

    const operation = operationFromDocument(this.apiSchema, document, { operationName });
    const queryPlan = this.planner.buildQueryPlan(operation);
    const node = queryPlan.node;
    if (!node || node.kind !== 'Subscription') throw new Error('Not a subscription operation');
    const plan: SubscriptionPlan = {
      primary: node.primary,
      rest: node.rest,
      perEvent: { kind: 'QueryPlan', node: node.rest ? { kind: 'Sequence', nodes: [node.primary, node.rest] } : node.primary },
      operationContext: buildOperationContext({ schema: this.apiGraphQLSchema, operationDocument: document, operationName }),
    };
    if (this.cache.size >= SubscriptionPlanner.MAX_CACHED) this.cache.clear();
    this.cache.set(key, plan);
    return plan;
  }
}

import { Supergraph, type Schema } from '@apollo/federation-internals';
import { buildOperationContext } from '@apollo/gateway';
import type { FetchNode, PlanNode, QueryPlan } from '@apollo/query-planner';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { ApolloOperationPlanner } from '../planning/apollo-planner';
import type { OperationPlanner } from '../planning/operation-planner';
import { toGatewayPlan, toGatewayRootFetch } from './gateway-plan';

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
 * refuses to execute them), through the router's planner interface, `@defer` ignored as the
 * gateway does; the plan goes back to the gateway's format for its executor, which completes the
 * events. Plans are cached per document and operation name.
 */
export class SubscriptionPlanner {
  readonly supergraphSchema: GraphQLSchema;
  readonly apiSchema: Schema;
  readonly apiGraphQLSchema: GraphQLSchema;
  private readonly planner: OperationPlanner;
  private readonly cache = new Map<string, SubscriptionPlan>();
  private static readonly MAX_CACHED = 1000;

  constructor(supergraphSdl: string) {
    const supergraph = Supergraph.build(supergraphSdl);
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
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
    const primary = toGatewayRootFetch(node.primary);
    const rest = node.rest && toGatewayPlan(node.rest);
    const plan: SubscriptionPlan = {
      primary,
      rest,
      perEvent: { kind: 'QueryPlan', node: rest ? { kind: 'Sequence', nodes: [primary, rest] } : primary },
      operationContext: buildOperationContext({ schema: this.apiGraphQLSchema, operationDocument: document, operationName }),
    };
    if (this.cache.size >= SubscriptionPlanner.MAX_CACHED) this.cache.clear();
    this.cache.set(key, plan);
    return plan;
  }
}

import type { DocumentNode } from 'graphql';
import { ApolloOperationPlanner } from './apollo-planner';
import { HiveOperationPlanner } from './hive-planner';
import type { OperationPlan } from './plan';

/** The planners the router can plan with. */
export type PlannerName = 'apollo' | 'hive';

/** An operation the pipeline has parsed and validated against the API schema: its text and its document. */
export interface OperationToPlan {
  /** The document's text (Hive's planner parses text). */
  text: string;
  /** The same document, parsed (Apollo's planner reads the AST). */
  document: DocumentNode;
  /** Which of the document's operations; may be left out when it has one. */
  operationName?: string;
}

/**
 * Plans operations against one supergraph into the router's plan format. Implementations are
 * built from the supergraph SDL the gateway loads (`AuthorizationPolicy.gatewaySdl`), keep no
 * cache (whoever plans caches), and throw when the planner cannot plan the operation.
 */
export interface OperationPlanner {
  readonly name: PlannerName;
  plan(operation: OperationToPlan): OperationPlan;
}

export function createOperationPlanner(name: PlannerName, supergraphSdl: string): OperationPlanner {
  return name === 'hive' ? new HiveOperationPlanner(supergraphSdl) : new ApolloOperationPlanner(supergraphSdl);
}

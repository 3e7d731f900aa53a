import { Supergraph, operationFromDocument, type Schema } from '@apollo/federation-internals';
import * as apollo from '@apollo/query-planner';
import type { OperationPlanner, OperationToPlan } from './operation-planner';
import { defer, group, type DataRewrite, type FetchNode, type OperationPlan, type PlanNode, type RequiresSelection, type ResponsePath } from './plan';

/** Options of the Apollo-backed planner. */
export interface ApolloPlannerOptions {
  /**
   * Plan `@defer` into Defer nodes. Default true. False is what @apollo/gateway does (its executor
   * cannot run Defer nodes): `@defer` is ignored, its fields planned inline, and allowed in
   * subscriptions, which Apollo's planner refuses to defer.
   */
  defer?: boolean;
}

/** @apollo/query-planner, the planner @apollo/gateway uses. */
export class ApolloOperationPlanner implements OperationPlanner {
  readonly name = 'apollo';
  private readonly apiSchema: Schema;
  private readonly planner: apollo.QueryPlanner;

  /** From the supergraph SDL, or from a Supergraph already built from it (building one takes about 100 ms). */
  constructor(supergraph: string | Supergraph, options: ApolloPlannerOptions = {}) {
    const built = typeof supergraph === 'string' ? Supergraph.build(supergraph) : supergraph;
    this.apiSchema = built.apiSchema();
    this.planner = new apollo.QueryPlanner(built, { incrementalDelivery: { enableDefer: options.defer ?? true } });
  }

  plan({ document, operationName }: OperationToPlan): OperationPlan {
    const operation = operationFromDocument(this.apiSchema, document, { operationName });
    const node = this.planner.buildQueryPlan(operation).node;
    return node ? { node: convert(node, []) } : {};
  }
}

/** One Apollo node at `path` (the Flatten paths above it, joined). */
function convert(node: apollo.PlanNode | apollo.SubscriptionNode, path: ResponsePath): PlanNode | undefined {
  if (node.kind === 'Flatten') return convert(node.node, [...path, ...node.path.flatMap(responsePathSegments)]);
  if (node.kind === 'Fetch') return fetch(node, path);
  if (path.length > 0) throw new Error(`Unexpected ${node.kind} under Flatten`);
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return group(node.kind, definedNodes(node.nodes.map((child) => convert(child, []))));
    case 'Condition':
      return { kind: 'Condition', variable: node.condition, ifClause: optional(node.ifClause), elseClause: optional(node.elseClause) };
    case 'Defer':
      return defer(node, optional);
    case 'Subscription':
      return { kind: 'Subscription', primary: fetch(node.primary, []), rest: optional(node.rest) };
  }
}

function optional(node: apollo.PlanNode | null | undefined): PlanNode | undefined {
  return node ? convert(node, []) : undefined;
}

function definedNodes(nodes: (PlanNode | undefined)[]): PlanNode[] {
  return nodes.filter((node): node is PlanNode => node !== undefined);
}

function fetch(node: apollo.FetchNode, path: ResponsePath): FetchNode {
  // @fromContext: the executor would need to pass context values as arguments; not planned for yet.
  if (node.contextRewrites?.length) throw new Error(`The fetch to ${node.serviceName} passes @fromContext values, which the router cannot run yet`);
  const root: FetchNode = {
    kind: 'Fetch',
    serviceName: node.serviceName,
    operation: node.operation,
    operationName: node.operationName,
    operationKind: node.operationKind,
    variableUsages: node.variableUsages ?? [],
    id: node.id,
  };
  if (!node.requires) {
    if (path.length > 0 || node.inputRewrites?.length) throw new Error(`Unexpected root fetch to ${node.serviceName} at a path or with input rewrites`);
    return node.outputRewrites?.length ? { ...root, outputRewrites: node.outputRewrites.map(rewrite) } : root;
  }
  return {
    ...root,
    entities: [
      {
        representationsVariable: 'representations',
        resultKey: '_entities',
        paths: [path],
        requires: node.requires.map(selection),
        inputRewrites: (node.inputRewrites ?? []).map(rewrite),
        outputRewrites: (node.outputRewrites ?? []).map(rewrite),
      },
    ],
  };
}

/** `field`, `@`, or with type-conditioned fetching `field|[A,B]` (the objects there must be an A or a B). */
function responsePathSegments(segment: string | number): ResponsePath {
  const text = String(segment);
  const conditions = text.indexOf('|[');
  if (conditions < 0) return [text];
  const typeCondition = text.slice(conditions + 2, -1).split(',');
  return conditions === 0 ? [{ typeCondition }] : [text.slice(0, conditions), { typeCondition }];
}

function selection(node: apollo.QueryPlanSelectionNode): RequiresSelection {
  if (node.kind === 'Field') return { kind: 'Field', name: node.name, alias: node.alias, selections: node.selections?.map(selection) };
  return { kind: 'InlineFragment', typeCondition: node.typeCondition, selections: node.selections.map(selection) };
}

const FRAGMENT_PREFIX = '... on ';

/** Apollo writes a rewrite's path as keys and `... on Type` (only objects of that type). */
function rewrite(node: apollo.FetchDataRewrite): DataRewrite {
  const path = node.path.map((segment) => (segment.startsWith(FRAGMENT_PREFIX) ? { typenameIn: [segment.slice(FRAGMENT_PREFIX.length)] } : { key: segment }));
  return node.kind === 'ValueSetter' ? { kind: 'ValueSetter', path, setValueTo: node.setValueTo } : { kind: 'KeyRenamer', path, renameKeyTo: node.renameKeyTo };
}

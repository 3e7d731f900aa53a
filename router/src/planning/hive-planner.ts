import * as hive from '@graphql-hive/router-query-planner';
import type { OperationPlanner, OperationToPlan } from './operation-planner';
import {
  defer,
  group,
  type DataRewrite,
  type EntityInput,
  type FetchNode,
  type OperationPlan,
  type PlanNode,
  type RequiresSelection,
  type ResponsePath,
} from './plan';

/** The Hive Router addon's plan node types (its package names several of them alike). */
type HiveNode = hive.PlanNode;
type HiveSelection = hive.RequiresSelection;

/**
 * Hive Router's query planner (Rust, as a Node addon). Progressive `@override` is not decided per
 * request yet: no label is active, so every field resolves where it is overridden from until the
 * executor chooses labels, as @apollo/gateway does. Hive activates a `percent(N)` label when the
 * request's draw (0 to 100) is below N, and custom labels when named: a draw of 100 and no names.
 */
export class HiveOperationPlanner implements OperationPlanner {
  readonly name = 'hive';
  private readonly planner: hive.QueryPlanner;
  private static readonly NO_LABELS = new Set<string>();
  /** Above every `percent(N)`: none active. */
  private static readonly NO_PERCENT_LABEL = 100;

  constructor(supergraphSdl: string) {
    this.planner = new hive.QueryPlanner(supergraphSdl);
  }

  plan({ text, operationName }: OperationToPlan): OperationPlan {
    const node = this.planner.plan(text, operationName, HiveOperationPlanner.NO_LABELS, HiveOperationPlanner.NO_PERCENT_LABEL).node;
    return node ? { node: convert(node, []) } : {};
  }
}

/** One Hive node at `path` (the Flatten paths above it, joined). */
function convert(node: HiveNode, path: ResponsePath): PlanNode | undefined {
  if (node.kind === 'Flatten') return convert(node.node, [...path, ...node.path.map(responsePathSegment)]);
  if (node.kind === 'Fetch') return fetch(node, path);
  if (node.kind === 'BatchFetch') return batchFetch(node, path);
  if (path.length > 0) throw new Error(`Unexpected ${node.kind} under Flatten`);
  switch (node.kind) {
    case 'Sequence': {
      // Hive writes a subscription as Sequence [Subscription { primary }, ...what completes each event].
      const [first, ...rest] = node.nodes;
      if (first?.kind === 'Subscription') return { kind: 'Subscription', primary: fetch(first.primary, []), rest: group('Sequence', children(rest)) };
      return group('Sequence', children(node.nodes));
    }
    case 'Parallel':
      return group('Parallel', children(node.nodes));
    case 'Subscription':
      return { kind: 'Subscription', primary: fetch(node.primary, []) };
    case 'Condition':
      return { kind: 'Condition', variable: node.condition, ifClause: optional(node.ifClause), elseClause: optional(node.elseClause) };
    case 'Defer':
      return defer(node, optional);
  }
}

/** Hive leaves absent clauses as null. */
function optional(node: HiveNode | null | undefined): PlanNode | undefined {
  return node ? convert(node, []) : undefined;
}

function children(nodes: HiveNode[]): PlanNode[] {
  return nodes.map((node) => convert(node, [])).filter((node): node is PlanNode => node !== undefined);
}

function rootFetch(node: Omit<hive.FetchNode, 'kind'> | hive.BatchFetchNode): FetchNode {
  return {
    kind: 'Fetch',
    serviceName: node.serviceName,
    operation: node.operation,
    operationName: node.operationName,
    operationKind: node.operationKind ?? 'query',
    variableUsages: node.variableUsages ?? [],
  };
}

/** A Subscription's primary comes without its `kind`. */
function fetch(node: Omit<hive.FetchNode, 'kind'>, path: ResponsePath): FetchNode {
  if (!node.requires) {
    if (path.length > 0 || node.inputRewrites?.length) throw new Error(`Unexpected root fetch to ${node.serviceName} at a path or with input rewrites`);
    return node.outputRewrites?.length ? { ...rootFetch(node), outputRewrites: node.outputRewrites.map(rewrite) } : rootFetch(node);
  }
  return { ...rootFetch(node), entities: [entityInput('representations', '_entities', [path], { ...node, requires: node.requires })] };
}

/** Several `_entities` aliases in one request, each collecting representations from several paths. */
function batchFetch(node: hive.BatchFetchNode, path: ResponsePath): FetchNode {
  const entities = node.entityBatch.aliases.map((alias) =>
    entityInput(
      alias.representationsVariableName,
      alias.alias,
      alias.paths.map((aliasPath) => [...path, ...aliasPath.map(responsePathSegment)]),
      alias,
    ),
  );
  return { ...rootFetch(node), entities };
}

function entityInput(
  representationsVariable: string,
  resultKey: string,
  paths: ResponsePath[],
  input: { requires: HiveSelection[]; inputRewrites?: hive.FetchRewrite[]; outputRewrites?: hive.FetchRewrite[] },
): EntityInput {
  return {
    representationsVariable,
    resultKey,
    paths,
    requires: input.requires.map(selection),
    inputRewrites: (input.inputRewrites ?? []).map(rewrite),
    outputRewrites: (input.outputRewrites ?? []).map(rewrite),
  };
}

function responsePathSegment(segment: hive.FlattenNodePathSegment): ResponsePath[number] {
  if (segment === '@') return '@';
  return 'Field' in segment ? segment.Field : { typeCondition: segment.TypeCondition };
}

function selection(node: HiveSelection): RequiresSelection {
  switch (node.kind) {
    case 'Field':
      // Hive's `alias` is the key in the representation, its `name` the key in the response so far.
      if (node.alias) return { kind: 'Field', name: node.alias, responseKey: node.name, selections: node.selections?.map(selection) };
      return { kind: 'Field', name: node.name, selections: node.selections?.map(selection) };
    case 'InlineFragment':
      return {
        kind: 'InlineFragment',
        typeCondition: node.typeCondition,
        selections: node.selections.map(selection),
        skipIf: node.skipIf,
        includeIf: node.includeIf,
      };
    case 'FragmentSpread':
      // A spread in a representation would need the fragment's definition, which the plan does not carry.
      throw new Error(`Unexpected fragment spread ${node.value} in the fields a fetch requires`);
  }
}

/** Hive writes a rewrite as `{ ValueSetter: … }`, `{ KeyRenamer: … }`, or sometimes `{ kind: 'ValueSetter', … }`. */
function rewrite(node: hive.FetchRewrite): DataRewrite {
  if ('kind' in node) return { kind: 'ValueSetter', path: node.path.map(rewritePathSegment), setValueTo: node.setValueTo };
  if ('ValueSetter' in node) return { kind: 'ValueSetter', path: node.ValueSetter.path.map(rewritePathSegment), setValueTo: node.ValueSetter.setValueTo };
  return { kind: 'KeyRenamer', path: node.KeyRenamer.path.map(rewritePathSegment), renameKeyTo: node.KeyRenamer.renameKeyTo };
}

function rewritePathSegment(segment: hive.FetchNodePathSegment): { key: string } | { typenameIn: readonly string[] } {
  return 'Key' in segment ? { key: segment.Key } : { typenameIn: segment.TypenameEquals };
}

import type * as apollo from '@apollo/query-planner';
import type { DataRewrite, FetchNode, PlanNode, RequiresSelection, ResponsePath } from '../planning/plan';

/**
 * The router's plan in @apollo/gateway's format, for the gateway's executor, which completes
 * subscription events until the router's own executor does. Only what that executor can run
 * converts: an entity fetch with one `_entities` input from one path (Apollo's planner makes
 * nothing else), no Defer.
 */
export function toGatewayPlan(node: PlanNode): apollo.PlanNode {
  switch (node.kind) {
    case 'Fetch':
      return node.entities ? toGatewayFlatten(node) : toGatewayRootFetch(node);
    case 'Sequence':
    case 'Parallel':
      return { kind: node.kind, nodes: node.nodes.map(toGatewayPlan) };
    case 'Condition':
      return {
        kind: 'Condition',
        condition: node.variable,
        ifClause: node.ifClause && toGatewayPlan(node.ifClause),
        elseClause: node.elseClause && toGatewayPlan(node.elseClause),
      };
    case 'Defer':
    case 'Subscription':
      throw new Error(`The gateway's executor cannot run a ${node.kind} node here`);
  }
}

/** A root fetch (a subscription's primary is one). */
export function toGatewayRootFetch(node: FetchNode): apollo.FetchNode {
  return {
    kind: 'Fetch',
    serviceName: node.serviceName,
    id: node.id,
    operation: node.operation,
    operationName: node.operationName,
    operationKind: node.operationKind as apollo.FetchNode['operationKind'],
    variableUsages: [...node.variableUsages],
    outputRewrites: rewrites(node.outputRewrites),
  };
}

/** An entity fetch, inside the Flatten of its one path. */
function toGatewayFlatten(node: FetchNode): apollo.FlattenNode {
  const [input, ...more] = node.entities ?? [];
  const [path, ...morePaths] = input?.paths ?? [];
  if (!input || !path || more.length > 0 || morePaths.length > 0 || input.resultKey !== '_entities' || input.representationsVariable !== 'representations') {
    throw new Error(`The gateway's executor cannot run the batched entity fetch to ${node.serviceName}`);
  }
  const fetch = toGatewayRootFetch(node);
  return {
    kind: 'Flatten',
    path: responsePath(path),
    node: {
      ...fetch,
      requires: input.requires.map(selection),
      inputRewrites: rewrites(input.inputRewrites),
      outputRewrites: rewrites(input.outputRewrites),
    },
  };
}

/** Apollo writes a type condition onto the segment before it: `field|[A,B]`. */
function responsePath(path: ResponsePath): string[] {
  const segments: string[] = [];
  for (const segment of path) {
    if (typeof segment === 'string') segments.push(segment);
    else segments.push(`${segments.pop() ?? ''}|[${segment.typeCondition.join(',')}]`);
  }
  return segments;
}

function selection(node: RequiresSelection): apollo.QueryPlanSelectionNode {
  if (node.kind === 'Field') return { kind: 'Field', name: node.name, alias: node.alias, selections: node.selections?.map(selection) };
  if (node.skipIf || node.includeIf) throw new Error("The gateway's executor cannot run conditional requirements");
  return { kind: 'InlineFragment', typeCondition: node.typeCondition, selections: node.selections.map(selection) };
}

/** None is written as absent, as Apollo does. */
function rewrites(nodes: readonly DataRewrite[] | undefined): apollo.FetchDataRewrite[] | undefined {
  return nodes?.length ? nodes.map(rewrite) : undefined;
}

function rewrite(node: DataRewrite): apollo.FetchDataRewrite {
  const path = node.path.map((segment) => {
    if ('key' in segment) return segment.key;
    if (segment.typenameIn.length !== 1) throw new Error("The gateway's executor cannot run a rewrite on several types");
    return `... on ${segment.typenameIn[0]}`;
  });
  return node.kind === 'ValueSetter' ? { kind: 'ValueSetter', path, setValueTo: node.setValueTo } : { kind: 'KeyRenamer', path, renameKeyTo: node.renameKeyTo };
}

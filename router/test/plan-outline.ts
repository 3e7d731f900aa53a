import type { FetchNode, PlanNode, ResponsePath } from '../src/planning/plan';

/**
 * A plan as one line, to compare plan shapes at a glance: `Sequence(users, Parallel(ai <- me, projects <- me))`.
 * An entity fetch is `service <- path`, its paths joined by `|` and a batch's aliases by `;`;
 * `@` is every list element, `[A]` a type condition.
 */
export function outline(node: PlanNode | undefined): string {
  if (!node) return '(nothing)';
  switch (node.kind) {
    case 'Fetch':
      return node.entities ? `${node.serviceName} <- ${node.entities.map((entity) => entity.paths.map(path).join(' | ')).join('; ')}` : node.serviceName;
    case 'Sequence':
    case 'Parallel':
      return `${node.kind}(${node.nodes.map(outline).join(', ')})`;
    case 'Condition':
      return `If $${node.variable} (${outline(node.ifClause)}) else (${outline(node.elseClause)})`;
    case 'Defer':
      return `Defer(${outline(node.primary.node)}; ${node.deferred.map((part) => `${part.label ?? ''}@${part.path.join('.')}: ${outline(part.node)}`).join('; ')})`;
    case 'Subscription':
      return `Subscription(${outline(node.primary)}; ${outline(node.rest)})`;
  }
}

/** Every fetch of a plan, in plan order (a subscription's primary first). */
export function fetches(node: PlanNode | undefined): FetchNode[] {
  if (!node) return [];
  switch (node.kind) {
    case 'Fetch':
      return [node];
    case 'Sequence':
    case 'Parallel':
      return node.nodes.flatMap(fetches);
    case 'Condition':
      return [...fetches(node.ifClause), ...fetches(node.elseClause)];
    case 'Defer':
      return [...fetches(node.primary.node), ...node.deferred.flatMap((part) => fetches(part.node))];
    case 'Subscription':
      return [node.primary, ...fetches(node.rest)];
  }
}

function path(segments: ResponsePath): string {
  return segments.map((segment) => (typeof segment === 'string' ? segment : `[${segment.typeCondition.join(',')}]`)).join('.');
}

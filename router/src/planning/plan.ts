/**
 * The router's own query plan: what either planner (@apollo/query-planner, Hive Router's) decided,
 * in one shape, so the executor reads one format whichever planner made it.
 *
 * One difference from both planners' formats: an entity fetch carries where its representations
 * come from. Apollo writes that as `Flatten(path) { Fetch }` (one path, one `$representations`),
 * Hive as either that or a `BatchFetch` (several `_entities` aliases in one request, each with its
 * own variable and several paths). Both are the same thing here: a `Fetch` with `entities`, each
 * naming its variable, the response key its results come back under, and its paths. So Flatten is
 * not a node of its own, and the executor has one way to collect representations and merge results.
 */

/** A plan for one operation; no node when nothing needs fetching. */
export interface OperationPlan {
  node?: PlanNode;
}

export type PlanNode = FetchNode | SequenceNode | ParallelNode | ConditionNode | DeferNode | SubscriptionNode;

/**
 * A position in the response: field names (response keys, so aliases), `'@'` for every element of
 * the list at that point, and type conditions (only objects whose `__typename` is one of them).
 */
export type ResponsePath = readonly (string | TypeCondition)[];
export interface TypeCondition {
  typeCondition: readonly string[];
}

/** One request to one subgraph. */
export interface FetchNode {
  kind: 'Fetch';
  serviceName: string;
  /** The document sent, variable definitions included. */
  operation: string;
  /** Apollo names its fetches (`Op__service__3`); Hive does not. */
  operationName?: string;
  operationKind: 'query' | 'mutation' | 'subscription';
  /** The client's variables this fetch sends (the representations variables are not among them). */
  variableUsages: readonly string[];
  /** What a `Defer` node's `dependsOn` refers to (Apollo numbers fetches only in plans with @defer). */
  id?: string;
  /** Absent: a root fetch, its data merged at the response root. Present: an `_entities` fetch. */
  entities?: readonly EntityInput[];
  /** Root fetches only: applied to the data received before it is merged (entity fetches carry theirs per input). */
  outputRewrites?: readonly DataRewrite[];
}

/** One `_entities` selection of an entity fetch: where its representations come from and where its results go. */
export interface EntityInput {
  /** The variable that carries the representations: `representations` (Apollo), `__batch_reps_0`… (Hive batches). */
  representationsVariable: string;
  /** The key in the subgraph's `data` holding the results, in representation order: `_entities`, or a batch alias. */
  resultKey: string;
  /** Where the entities are in the response so far; representations are collected path by path, in order. */
  paths: readonly ResponsePath[];
  /** What a representation holds: the key fields, `@requires` fields, `__typename`, under type conditions. */
  requires: readonly RequiresSelection[];
  /** Applied to each representation before it is sent. */
  inputRewrites: readonly DataRewrite[];
  /** Applied to each result before it is merged. */
  outputRewrites: readonly DataRewrite[];
}

export type RequiresSelection = RequiresField | RequiresInlineFragment;
export interface RequiresField {
  kind: 'Field';
  name: string;
  /** The key in the representation and, unless `responseKey` says otherwise, in the response so far. */
  alias?: string;
  /**
   * Where the value is in the response so far, when not under the representation's key: Hive reads
   * a field required with two different arguments under an alias of its own (`_internal_qp_alias_0:
   * weight(unit: LB)`) and sends it as `weight`.
   */
  responseKey?: string;
  selections?: readonly RequiresSelection[];
}
export interface RequiresInlineFragment {
  kind: 'InlineFragment';
  typeCondition?: string;
  selections: readonly RequiresSelection[];
  /** Hive only: the selection is left out when this variable is true (`skipIf`) or false (`includeIf`). */
  skipIf?: string;
  includeIf?: string;
}

/** A change to a representation or a result: set a value, or rename a key, at a path. */
export type DataRewrite = ValueSetter | KeyRenamer;
export interface ValueSetter {
  kind: 'ValueSetter';
  path: readonly RewritePathSegment[];
  setValueTo: unknown;
}
export interface KeyRenamer {
  kind: 'KeyRenamer';
  path: readonly RewritePathSegment[];
  renameKeyTo: string;
}
/**
 * A key in an object, or: only objects of one of these types, that is, whose `__typename` is one of
 * them or a possible type of one (Book under Media), as @apollo/gateway applies it; an object without
 * `__typename` matches. Lists on the way are walked element by element.
 */
export type RewritePathSegment = { key: string } | { typenameIn: readonly string[] };

/** Children run one after the other, each on the response the previous ones wrote. */
export interface SequenceNode {
  kind: 'Sequence';
  nodes: readonly PlanNode[];
}

/** Children run at the same time. */
export interface ParallelNode {
  kind: 'Parallel';
  nodes: readonly PlanNode[];
}

/** `@include`/`@skip` on a boolean variable: `ifClause` runs when it is true, `elseClause` when false. */
export interface ConditionNode {
  kind: 'Condition';
  variable: string;
  ifClause?: PlanNode;
  elseClause?: PlanNode;
}

/** `@defer`: the primary part is answered first, each deferred part as it completes. */
export interface DeferNode {
  kind: 'Defer';
  primary: { subselection?: string; node?: PlanNode };
  deferred: readonly DeferredPart[];
}
export interface DeferredPart {
  /** Fetch ids whose results this part starts from. */
  dependsOn: readonly string[];
  label?: string;
  /** Where in the response the part's data goes. */
  path: readonly string[];
  subselection?: string;
  node?: PlanNode;
}

/** A subscription: `primary` runs as the subgraph subscription; `rest` completes each event. */
export interface SubscriptionNode {
  kind: 'Subscription';
  primary: FetchNode;
  rest?: PlanNode;
}

/** Sequence or Parallel of the given children; one child stands for itself, none for nothing. */
export function group(kind: 'Sequence' | 'Parallel', nodes: PlanNode[]): PlanNode | undefined {
  if (nodes.length <= 1) return nodes[0];
  return { kind, nodes };
}

/** The Defer node of either planner: both write it alike (Apollo's and Hive's formats agree here). */
export interface PlannerDeferNode<Node> {
  primary: { subselection?: string; node?: Node | null };
  deferred: { depends: { id: string }[]; label?: string; queryPath: string[]; subselection?: string; node?: Node | null }[];
}

export function defer<Node>(node: PlannerDeferNode<Node>, convert: (node: Node | null | undefined) => PlanNode | undefined): DeferNode {
  return {
    kind: 'Defer',
    primary: { subselection: node.primary.subselection, node: convert(node.primary.node) },
    deferred: node.deferred.map((part) => ({
      dependsOn: part.depends.map((dependency) => dependency.id),
      label: part.label,
      path: part.queryPath,
      subselection: part.subselection,
      node: convert(part.node),
    })),
  };
}

import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isObjectType,
  Kind,
  parse,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { DeferNode, DeferredPart, PlanNode } from '../planning/plan';
import { completeResponse, completeValueAt } from './completion';
import { isObject, type JsonObject } from './data-rewrites';
import type { DataSource } from './data-source';
import { mergeInto, type ResultPath } from './entity-representations';
import { runPlan, type FetchedData, type LocatedError } from './fetch-execution';
import type { CompiledOperation } from './plan-executor';
import { compileResponseShape, compileSelectionShape, type ValueShape } from './response-shape';

/**
 * Incremental delivery of `@defer` (the format Apollo Client reads, `deferSpec=20220824`): the
 * first payload has the primary part's `data`; each later one has `incremental` items, a deferred
 * fragment's data at the path of the object it belongs to, with its `label` and its own errors.
 * `hasNext` is false on the last.
 */
export type IncrementalPayload = InitialPayload | SubsequentPayload;
export interface InitialPayload {
  data: JsonObject | null;
  errors?: LocatedError[];
  hasNext: boolean;
}
export interface SubsequentPayload {
  incremental?: IncrementalItem[];
  hasNext: false | true;
}
export interface IncrementalItem {
  data: JsonObject | null;
  path: ResultPath;
  label?: string;
  errors?: LocatedError[];
}

/** The plan's Defer node, when the operation defers anything with these variables; incremental delivery starts from it. */
export function deferredRoot(node: PlanNode | undefined, variables: Readonly<Record<string, unknown>>): DeferNode | undefined {
  if (node?.kind === 'Defer') return node;
  if (node?.kind === 'Condition') return deferredRoot(variables[node.variable] === true ? node.ifClause : node.elseClause, variables);
  return undefined;
}

/** A deferred part compiled once: where it is delivered and the shape of what it delivers. */
interface CompiledPart {
  label?: string;
  /** The plan's path: response keys and `... on T` conditions, no list indices. */
  path: readonly string[];
  /** The fetches of this part (without those of the parts deferred inside it). */
  node?: PlanNode;
  shape: ValueShape;
  nested: CompiledPart[];
}

const compiledParts = new WeakMap<DeferNode, { primary: ReturnType<typeof compileResponseShape>; parts: CompiledPart[] }>();

/** What depends only on the operation: each part's shape, from the planner's subselections, compiled once per plan. */
function compileDefer(schema: GraphQLSchema, compiled: CompiledOperation, root: DeferNode, fragments: readonly FragmentDefinitionNode[]) {
  let cached = compiledParts.get(root);
  if (cached) return cached;
  const compilePart = (part: DeferredPart): CompiledPart => {
    const inner = part.node?.kind === 'Defer' ? part.node : undefined;
    const subselection = part.subselection ?? inner?.primary.subselection;
    const type = typeAtPath(schema, compiled, fragments, part.path);
    return {
      label: part.label,
      path: part.path,
      node: inner ? inner.primary.node : part.node,
      shape: compileSelectionShape(schema, type, subselection ? selectionSetOf(subselection) : EMPTY_SELECTION, fragments),
      nested: (inner?.deferred ?? []).map(compilePart),
    };
  };
  const primarySelection = root.primary.subselection ? selectionSetOf(root.primary.subselection) : EMPTY_SELECTION;
  cached = {
    primary: compileResponseShape(schema, { ...compiled.operation, selectionSet: primarySelection }, fragments),
    parts: root.deferred.map(compilePart),
  };
  compiledParts.set(root, cached);
  return cached;
}

const EMPTY_SELECTION: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: [] };

function selectionSetOf(subselection: string): SelectionSetNode {
  const definition = parse(subselection, { noLocation: true }).definitions[0];
  if (definition?.kind !== Kind.OPERATION_DEFINITION) throw new Error(`Not a selection set: ${subselection}`);
  return definition.selectionSet;
}

/**
 * Runs an operation whose plan defers parts: the primary part first, answered as soon as it is
 * complete; then each deferred part as its fetches finish, in whatever order that is, the parts
 * deferred inside it after it. Errors of a part's fetches and of its completion go with its items.
 */
export async function* executeIncrementally(
  schema: GraphQLSchema,
  compiled: CompiledOperation,
  root: DeferNode,
  fragments: readonly FragmentDefinitionNode[],
  variables: Readonly<Record<string, unknown>>,
  dataSource: DataSource,
): AsyncGenerator<IncrementalPayload> {
  const { primary, parts } = compileDefer(schema, compiled, root, fragments);
  const fetched = await runPlan(schema, root.primary.node, variables, dataSource);
  const initial = completeResponse(primary, fetched.data, variables, fetched.errors, fetched.failedPaths);
  const errors = [...fetched.errors, ...initial.errors];
  yield { data: initial.data, ...(errors.length > 0 ? { errors } : {}), hasNext: parts.length > 0 && initial.data !== null };
  if (parts.length === 0 || initial.data === null) return;

  // What the client holds so far, to find where deferred parts land (and whether their objects survived null propagation).
  const delivered = structuredClone(initial.data);
  const raw = fetched.data;
  const pending = new Map<number, Promise<{ id: number; part: CompiledPart; items: IncrementalItem[] }>>();
  let nextId = 0;
  const start = (part: CompiledPart): void => {
    const id = nextId++;
    pending.set(
      id,
      (async () => {
        const own = await runPlan(schema, part.node, variables, dataSource, raw);
        return { id, part, items: deliverPart(schema, part, raw, delivered, variables, own) };
      })(),
    );
  };
  for (const part of parts) start(part);
  while (pending.size > 0) {
    const { id, part, items } = await Promise.race(pending.values());
    pending.delete(id);
    // Parts deferred inside this one land in objects it just delivered.
    if (items.some((item) => item.data !== null)) for (const nested of part.nested) start(nested);
    yield { ...(items.length > 0 ? { incremental: items } : {}), hasNext: pending.size > 0 };
  }
}

/** One incremental item per object at the part's path that the client holds; the part's pathless errors go with the first. */
function deliverPart(
  schema: GraphQLSchema,
  part: CompiledPart,
  raw: JsonObject,
  delivered: JsonObject,
  variables: Readonly<Record<string, unknown>>,
  fetched: FetchedData,
): IncrementalItem[] {
  const items: IncrementalItem[] = [];
  const fetchErrors = fetched.errors;
  const unplaced = fetchErrors.filter((error) => !error.path);
  for (const target of objectsAtPath(schema, raw, delivered, part.path)) {
    const completed = completeValueAt(part.shape, target.raw, target.path, variables, fetchErrors, fetched.failedPaths);
    const data = isObject(completed.data) ? completed.data : null;
    if (data) mergeInto(target.delivered, data);
    const own = fetchErrors.filter((error) => error.path && startsWith(error.path, target.path));
    const errors = [...(items.length === 0 ? unplaced : []), ...own, ...completed.errors];
    items.push({ data, path: target.path, ...(part.label !== undefined ? { label: part.label } : {}), ...(errors.length > 0 ? { errors } : {}) });
  }
  return items;
}

interface Target {
  path: ResultPath;
  raw: JsonObject;
  delivered: JsonObject;
}

/** The objects at a plan path, walked in the fetched data and in what was delivered side by side (list elements get their index). */
function objectsAtPath(schema: GraphQLSchema, raw: JsonObject, delivered: JsonObject, path: readonly string[]): Target[] {
  let targets: Target[] = [{ path: [], raw, delivered }];
  for (const element of path) {
    const next: Target[] = [];
    if (element.startsWith('... on ')) {
      const condition = schema.getType(element.slice('... on '.length));
      for (const target of targets) {
        const typename = target.raw.__typename;
        const concrete = typeof typename === 'string' ? schema.getType(typename) : undefined;
        // Without a `__typename` to tell, the planner's path already holds only objects of the condition.
        const applies =
          !condition || !concrete || condition === concrete || (isAbstractType(condition) && isObjectType(concrete) && schema.isSubType(condition, concrete));
        if (applies) next.push(target);
      }
    } else {
      for (const target of targets) collect(target.raw[element], target.delivered[element], [...target.path, element], next);
    }
    targets = next;
  }
  return targets;
}

function collect(raw: unknown, delivered: unknown, path: ResultPath, into: Target[]): void {
  if (Array.isArray(raw) && Array.isArray(delivered)) {
    delivered.forEach((item, index) => collect(raw[index], item, [...path, index], into));
  } else if (isObject(raw) && isObject(delivered)) {
    into.push({ path, raw, delivered });
  }
}

function startsWith(path: ResultPath, prefix: ResultPath): boolean {
  return prefix.every((segment, index) => path[index] === segment);
}

/** The type of the object a deferred part belongs to: its path walked from the root through the operation's fields (for their names behind aliases). */
function typeAtPath(
  schema: GraphQLSchema,
  compiled: CompiledOperation,
  fragments: readonly FragmentDefinitionNode[],
  path: readonly string[],
): GraphQLCompositeType {
  const byName = new Map(fragments.map((fragment) => [fragment.name.value, fragment]));
  let type: GraphQLCompositeType | undefined = schema.getRootType(compiled.operation.operation) ?? undefined;
  let selectionSets: readonly SelectionSetNode[] = [compiled.operation.selectionSet];
  for (const element of path) {
    if (!type) break;
    if (element.startsWith('... on ')) {
      const condition = schema.getType(element.slice('... on '.length));
      type = condition && isCompositeType(condition) ? condition : undefined;
      continue;
    }
    const fields = fieldsWithKey(selectionSets, element, byName);
    const name = fields[0]?.name.value;
    const parent: GraphQLCompositeType = type;
    const definition = name && 'getFields' in parent ? parent.getFields()[name] : undefined;
    const named = definition ? getNamedType(definition.type) : undefined;
    type = named && isCompositeType(named) ? named : undefined;
    selectionSets = fields.flatMap((field) => (field.selectionSet ? [field.selectionSet] : []));
  }
  if (!type) throw new Error(`No composite type at the deferred path ${path.join('.')}`);
  return type;
}

function fieldsWithKey(selectionSets: readonly SelectionSetNode[], key: string, fragments: ReadonlyMap<string, FragmentDefinitionNode>): FieldNode[] {
  const found: FieldNode[] = [];
  const visit = (selectionSet: SelectionSetNode): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if ((selection.alias?.value ?? selection.name.value) === key) found.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  for (const selectionSet of selectionSets) visit(selectionSet);
  return found;
}

import { Kind, parse, type GraphQLSchema, type SelectionNode } from 'graphql';
import type { EntityInput, FetchNode, PlanNode } from '../planning/plan';
import { applyRewrites, isObject, type JsonObject } from './data-rewrites';
import type { DataSource, SubgraphError, SubgraphResponse } from './data-source';
import { collectRepresentations, mergeEntity, mergeInto, type CollectedRepresentations, type ResultPath } from './entity-representations';

/** An error for the client's response, its path already in the client's response. */
export interface LocatedError {
  message: string;
  path?: ResultPath;
  extensions?: Record<string, unknown>;
}

/** What running a plan leaves: every subgraph's data merged into one object, and the errors at their client paths. */
export interface FetchedData {
  data: JsonObject;
  errors: LocatedError[];
  /** Where a fetch left no value because the subgraph nulled its whole data for an error elsewhere: a null there is that error's, not a new one. */
  failedPaths?: ResultPath[];
}

/**
 * Runs a plan's fetches (queries and mutations; Subscription nodes are not run here yet),
 * writing every result into one response object in place.
 */
export async function runPlan(
  schema: GraphQLSchema,
  node: PlanNode | undefined,
  variables: Readonly<Record<string, unknown>>,
  dataSource: DataSource,
  /** The response so far, written in place: a deferred part's fetches start from what the parts before it fetched. */
  data: JsonObject = {},
): Promise<FetchedData> {
  const fetched: FetchedData = { data, errors: [] };
  if (node) await run(node, { schema, variables, dataSource, fetched });
  return fetched;
}

interface RunContext {
  schema: GraphQLSchema;
  variables: Readonly<Record<string, unknown>>;
  dataSource: DataSource;
  fetched: FetchedData;
}

async function run(node: PlanNode, context: RunContext): Promise<void> {
  switch (node.kind) {
    case 'Fetch':
      return node.entities ? entityFetch(node, node.entities, context) : rootFetch(node, context);
    case 'Sequence':
      // Mutations' root fields run in order (spec §6.2.2): the planner writes them as a Sequence.
      for (const child of node.nodes) await run(child, context);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => run(child, context)));
      return;
    case 'Condition': {
      const branch = context.variables[node.variable] === true ? node.ifClause : node.elseClause;
      if (branch) await run(branch, context);
      return;
    }
    case 'Defer':
      // Delivered in one response: the primary part first, then every deferred part (each depends only on fetches before it).
      if (node.primary.node) await run(node.primary.node, context);
      await Promise.all(node.deferred.map((part) => part.node && run(part.node, context)));
      return;
    case 'Subscription':
      throw new Error(`${node.kind} plans are not executed yet`);
  }
}

async function rootFetch(node: FetchNode, context: RunContext): Promise<void> {
  const response = await send(node, context, {});
  if (!response) return;
  for (const error of response.errors ?? []) {
    if (error.path) context.fetched.errors.push(located(error, [...error.path]));
    // A fetch that failed as a whole (no data): its error stands at each root field it was to fill.
    else if (!isObject(response.data)) for (const key of selectedKeys(node).keys()) context.fetched.errors.push(located(error, [key]));
    else context.fetched.errors.push(located(error, undefined));
  }
  if (isObject(response.data)) {
    applyRewrites(context.schema, response.data, node.outputRewrites ?? []);
    mergeInto(context.fetched.data, response.data);
  } else if (response.errors?.some((error) => error.path)) {
    // A non-null root field failed in the subgraph and took its whole data with it (spec §6.4.4): every root field of the fetch is part of that failure.
    const failed = (context.fetched.failedPaths ??= []);
    for (const key of selectedKeys(node).keys()) failed.push([key]);
  }
}

async function entityFetch(node: FetchNode, inputs: readonly EntityInput[], context: RunContext): Promise<void> {
  const collected = inputs.map((input) => collectRepresentations(context.schema, context.fetched.data, input, context.variables));
  // Nothing to resolve (every entity on the way was null): no request at all, as @apollo/gateway does.
  if (collected.every((batch) => batch.representations.length === 0)) return;
  const representations = Object.fromEntries(inputs.map((input, index) => [input.representationsVariable, collected[index]!.representations]));
  const response = await send(node, context, representations);
  if (!response) return;
  for (const error of response.errors ?? []) {
    if (!error.path && !isObject(response.data)) {
      // The fetch failed as a whole: its error stands at each field it was to fill, entity by entity.
      inputs.forEach((input, index) => {
        const fields = selectedKeys(node).get(input.resultKey);
        for (const entities of collected[index]!.entities) {
          for (const entity of entities) {
            const typename = entity.object.__typename;
            const keys = [...(fields?.get('') ?? []), ...((typeof typename === 'string' && fields?.get(typename)) || [])];
            for (const key of keys) context.fetched.errors.push(located(error, [...entity.path, key]));
          }
        }
      });
      continue;
    }
    for (const path of entityErrorPaths(error, inputs, collected)) context.fetched.errors.push(located(error, path));
  }
  inputs.forEach((input, index) => {
    const results = isObject(response.data) ? response.data[input.resultKey] : undefined;
    if (!Array.isArray(results)) return;
    const batch = collected[index]!;
    results.forEach((result, position) => {
      if (!isObject(result)) return;
      applyRewrites(context.schema, result, input.outputRewrites);
      for (const entity of batch.entities[position] ?? []) mergeEntity(context.schema, entity.object, result);
    });
  });
}

/**
 * `_entities.3.name` is the name of the entity representation 3 came from: of every entity it came
 * from, when deduplicated, since each of those fields failed (spec §6.4.4: an error for each field
 * that raised one). An error outside `_entities` stays without a path.
 */
function entityErrorPaths(error: SubgraphError, inputs: readonly EntityInput[], collected: readonly CollectedRepresentations[]): (ResultPath | undefined)[] {
  const [resultKey, position, ...rest] = error.path ?? [];
  const index = inputs.findIndex((input) => input.resultKey === resultKey);
  const entities = index >= 0 && typeof position === 'number' ? (collected[index]!.entities[position] ?? []) : [];
  return entities.length > 0 ? entities.map((entity) => [...entity.path, ...rest]) : [undefined];
}

/** One request; a failed request becomes an error without a path and leaves the fields it would have filled missing (completed as null). */
async function send(node: FetchNode, context: RunContext, representations: Record<string, unknown>): Promise<SubgraphResponse | undefined> {
  const variables: Record<string, unknown> = { ...representations };
  for (const name of node.variableUsages) if (name in context.variables) variables[name] = context.variables[name];
  try {
    return await context.dataSource(node.serviceName, { query: node.operation, variables, operationName: node.operationName });
  } catch (error) {
    context.fetched.errors.push({ message: error instanceof Error ? error.message : String(error), extensions: { serviceName: node.serviceName } });
    return undefined;
  }
}

/** Per top-level response key of a fetch: the keys selected below it, by type condition (`''`: whatever the type). */
type SelectedKeys = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
const selectedKeysOf = new WeakMap<FetchNode, SelectedKeys>();

/**
 * What a fetch selects, read from its operation once per plan node: where a failed fetch's error
 * goes (a root fetch's top-level fields; the fields under `_entities`, or a batch alias, by type).
 */
function selectedKeys(node: FetchNode): SelectedKeys {
  let keys = selectedKeysOf.get(node);
  if (keys) return keys;
  const operation = parse(node.operation, { noLocation: true }).definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const byKey = new Map<string, Map<string, string[]>>();
  for (const selection of operation?.kind === Kind.OPERATION_DEFINITION ? operation.selectionSet.selections : []) {
    if (selection.kind !== Kind.FIELD || selection.name.value === '__typename') continue;
    const byType = new Map<string, string[]>();
    const collect = (selections: readonly SelectionNode[], typeCondition: string): void => {
      for (const inner of selections) {
        // `__typename` never fails: the router answers it from the type.
        if (inner.kind === Kind.FIELD && inner.name.value !== '__typename')
          byType.set(typeCondition, [...(byType.get(typeCondition) ?? []), inner.alias?.value ?? inner.name.value]);
        else if (inner.kind === Kind.INLINE_FRAGMENT) collect(inner.selectionSet.selections, inner.typeCondition?.name.value ?? typeCondition);
      }
    };
    collect(selection.selectionSet?.selections ?? [], '');
    byKey.set(selection.alias?.value ?? selection.name.value, byType);
  }
  selectedKeysOf.set(node, (keys = byKey));
  return keys;
}

function located(error: SubgraphError, path: ResultPath | undefined): LocatedError {
  return { message: error.message, ...(path ? { path } : {}), ...(error.extensions ? { extensions: error.extensions } : {}) };
}

import type { GraphQLSchema } from 'graphql';
import type { EntityInput, RequiresSelection, ResponsePath } from '../planning/plan';
import { applyRewrites, isObject, isTypeOrSubtype, matchesTypeCondition, type JsonObject } from './data-rewrites';

/** A path in the response as the GraphQL spec writes it (§7.1.2): response keys and list indexes. */
export type ResultPath = (string | number)[];

/** An entity in the response so far, where it is. */
export interface EntityAt {
  object: JsonObject;
  path: ResultPath;
}

/** The representations of one `_entities` selection, deduplicated, each with every entity it stands for. */
export interface CollectedRepresentations {
  representations: JsonObject[];
  /** `entities[i]`: the objects representation i was built from, in the order met. */
  entities: EntityAt[][];
}

/**
 * Collects the representations an entity fetch sends: the objects at the input's paths, each
 * reduced to its `requires` selection and rewritten. Equal representations are sent once (several
 * reviews by one author need that author once) and their result merged into every object.
 */
export function collectRepresentations(
  schema: GraphQLSchema,
  data: JsonObject,
  input: EntityInput,
  variables: Readonly<Record<string, unknown>>,
): CollectedRepresentations {
  const collected: CollectedRepresentations = { representations: [], entities: [] };
  const indexByKey = new Map<string, number>();
  for (const path of input.paths) {
    for (const entity of entitiesAt(schema, data, path)) {
      const representation: JsonObject = {};
      // Missing key or required fields (an entity that came back null or errored): nothing to fetch for it.
      if (!selectRequires(schema, entity.object, input.requires, variables, representation) || isEmpty(representation)) continue;
      applyRewrites(schema, representation, input.inputRewrites);
      const key = JSON.stringify(representation);
      let index = indexByKey.get(key);
      if (index === undefined) {
        index = collected.representations.push(representation) - 1;
        indexByKey.set(key, index);
        collected.entities.push([]);
      }
      collected.entities[index]!.push(entity);
    }
  }
  return collected;
}

/** The objects at a plan path: keys, `@` for each list element, type conditions filtering by `__typename`. */
export function entitiesAt(schema: GraphQLSchema, data: JsonObject, path: ResponsePath): EntityAt[] {
  const found: EntityAt[] = [];
  // One path pushed and popped as the walk goes, copied only for an entity found: most steps lead to many entities.
  const at: ResultPath = [];
  const walk = (value: unknown, depth: number): void => {
    if (value === null || value === undefined) return;
    if (depth === path.length) {
      if (Array.isArray(value)) walkElements(value, depth);
      else if (isObject(value)) found.push({ object: value, path: at.slice() });
      return;
    }
    const segment = path[depth]!;
    if (segment === '@') {
      if (Array.isArray(value)) walkElements(value, depth + 1);
      return;
    }
    if (!isObject(value)) return;
    if (typeof segment === 'string') {
      at.push(segment);
      walk(value[segment], depth + 1);
      at.pop();
      return;
    }
    if (matchesTypeCondition(schema, value, segment.typeCondition)) walk(value, depth + 1);
  };
  const walkElements = (elements: unknown[], depth: number): void => {
    for (let index = 0; index < elements.length; index++) {
      at.push(index);
      walk(elements[index], depth);
      at.pop();
    }
  };
  walk(data, 0);
  return found;
}

/**
 * Writes the `requires` selection read from the entity into `target` (a representation). False
 * when a selected field is missing, as @apollo/gateway drops such representations rather than
 * send an incomplete one. Fragments write into the same object: one allocation per object selected.
 */
function selectRequires(
  schema: GraphQLSchema,
  source: JsonObject,
  selections: readonly RequiresSelection[],
  variables: Readonly<Record<string, unknown>>,
  target: JsonObject,
): boolean {
  for (const selection of selections) {
    if (selection.kind === 'InlineFragment') {
      if (selection.skipIf !== undefined && variables[selection.skipIf] === true) continue;
      if (selection.includeIf !== undefined && variables[selection.includeIf] !== true) continue;
      const typename = source.__typename;
      if (selection.typeCondition !== undefined && typeof typename === 'string' && !isTypeOrSubtype(schema, typename, selection.typeCondition)) continue;
      if (!selectRequires(schema, source, selection.selections, variables, target)) return false;
      continue;
    }
    const key = selection.alias ?? selection.name;
    const value = source[selection.responseKey ?? key];
    if (value === undefined) return false;
    if (!selection.selections) {
      target[key] = value;
      continue;
    }
    const selected = selectValue(schema, value, selection.selections, variables, target[key]);
    if (selected === undefined) return false;
    target[key] = selected;
  }
  return true;
}

/** A selected value: lists element by element, objects into `existing` when a fragment selected the same key before. */
function selectValue(
  schema: GraphQLSchema,
  value: unknown,
  selections: readonly RequiresSelection[],
  variables: Readonly<Record<string, unknown>>,
  existing: unknown,
): unknown {
  if (Array.isArray(value)) {
    const elements: unknown[] = new Array(value.length);
    for (let index = 0; index < value.length; index++) {
      const element = selectValue(schema, value[index], selections, variables, Array.isArray(existing) ? existing[index] : undefined);
      if (element === undefined) return undefined;
      elements[index] = element;
    }
    return elements;
  }
  if (!isObject(value)) return value;
  const target = isObject(existing) ? existing : {};
  return selectRequires(schema, value, selections, variables, target) ? target : undefined;
}

function isEmpty(object: JsonObject): boolean {
  for (const _key in object) return false;
  return true;
}

/**
 * An entity's result merged into it. A concrete `__typename` stays when the result names only an
 * interface of it: an @interfaceObject subgraph knows the entity as its interface, and says so.
 */
export function mergeEntity(schema: GraphQLSchema, entity: JsonObject, result: JsonObject): void {
  const known = entity.__typename;
  mergeInto(entity, result);
  if (typeof known === 'string' && entity.__typename !== known && typeof entity.__typename === 'string' && isTypeOrSubtype(schema, known, entity.__typename)) {
    entity.__typename = known;
  }
}

/**
 * Writes `source` into `target` in place: objects merge key by key, lists of equal length element
 * by element (the same list fetched from two subgraphs), anything else is replaced.
 */
export function mergeInto(target: JsonObject, source: JsonObject): void {
  for (const key in source) {
    const incoming = source[key];
    const existing = target[key];
    if (isObject(existing) && isObject(incoming)) mergeInto(existing, incoming);
    else if (Array.isArray(existing) && Array.isArray(incoming) && existing.length === incoming.length) mergeLists(existing, incoming);
    else target[key] = incoming;
  }
}

function mergeLists(target: unknown[], source: unknown[]): void {
  for (let index = 0; index < source.length; index++) {
    const existing = target[index];
    const incoming = source[index];
    if (isObject(existing) && isObject(incoming)) mergeInto(existing, incoming);
    else if (Array.isArray(existing) && Array.isArray(incoming) && existing.length === incoming.length) mergeLists(existing, incoming);
    else target[index] = incoming;
  }
}

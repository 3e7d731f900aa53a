import { isAbstractType, isObjectType, type GraphQLSchema } from 'graphql';
import type { DataRewrite } from '../planning/plan';

/**
 * The planners' input and output rewrites (`ValueSetter`, `KeyRenamer`), applied in place to a
 * representation before it is sent or to an entity result before it is merged.
 */
export type JsonObject = { [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function applyRewrites(schema: GraphQLSchema, value: unknown, rewrites: readonly DataRewrite[]): void {
  for (const rewrite of rewrites) applyAt(schema, value, rewrite, 0);
}

function applyAt(schema: GraphQLSchema, value: unknown, rewrite: DataRewrite, depth: number): void {
  if (Array.isArray(value)) {
    for (const element of value) applyAt(schema, element, rewrite, depth);
    return;
  }
  if (!isObject(value)) return;
  const segment = rewrite.path[depth];
  if (!segment) return;
  const last = depth === rewrite.path.length - 1;
  if ('typenameIn' in segment) {
    if (!matchesTypeCondition(schema, value, segment.typenameIn)) return;
    // A type condition as the last segment would name no key to change: both planners end on a key.
    applyAt(schema, value, rewrite, depth + 1);
    return;
  }
  if (!last) {
    applyAt(schema, value[segment.key], rewrite, depth + 1);
    return;
  }
  if (rewrite.kind === 'ValueSetter') {
    value[segment.key] = rewrite.setValueTo;
  } else if (segment.key in value) {
    value[rewrite.renameKeyTo] = value[segment.key];
    delete value[segment.key];
  }
}

/**
 * Whether an object is of one of these types: its type or a possible type of one named. An object
 * without `__typename` matches, as @apollo/gateway applies it: the planners fetch `__typename` wherever
 * the type is not already known (the response root has none, and Hive's paths start with `[Query]`).
 */
export function matchesTypeCondition(schema: GraphQLSchema, value: JsonObject, conditions: readonly string[]): boolean {
  const typename = value.__typename;
  if (typeof typename !== 'string') return true;
  return conditions.some((condition) => isTypeOrSubtype(schema, typename, condition));
}

/** Whether an object of type `typename` is of type `condition` (the same type, or one of the interface's or union's possible types). */
export function isTypeOrSubtype(schema: GraphQLSchema, typename: string, condition: string): boolean {
  if (typename === condition) return true;
  const abstract = schema.getType(condition);
  const concrete = schema.getType(typename);
  return abstract !== undefined && isAbstractType(abstract) && isObjectType(concrete) && schema.isSubType(abstract, concrete);
}

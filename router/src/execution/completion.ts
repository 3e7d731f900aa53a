import { isObject, type JsonObject } from './data-rewrites';
import type { ResultPath } from './entity-representations';
import type { LocatedError } from './fetch-execution';
import { isVisible, visibleFields, type ObjectShape, type ValueShape } from './response-shape';

/**
 * Projects the merged subgraph data onto the client's response shape: only the fields the client
 * selected, under its aliases, in its order (spec §6.3.2), with null propagation (spec §6.4.4
 * "Handling Field Errors"): a null in a non-null position makes the nearest nullable parent null.
 */

/** Returned in place of a value when a non-null position is null: the parent must become null in turn. */
const INVALID = Symbol('null in a non-null position');

export interface CompletedResponse {
  data: JsonObject | null;
  /** Errors raised while completing: a non-null field that was null with no subgraph error at its path. */
  errors: LocatedError[];
}

export function completeResponse(
  shape: ObjectShape,
  data: JsonObject,
  variables: Readonly<Record<string, unknown>>,
  subgraphErrors: readonly LocatedError[],
): CompletedResponse {
  const completion = new Completion(variables, new Set(subgraphErrors.filter((error) => error.path).map((error) => pathKey(error.path!))));
  const completed = completion.object(shape, data);
  return { data: completed === INVALID ? null : completed, errors: completion.errors };
}

class Completion {
  readonly errors: LocatedError[] = [];
  /** The current path, pushed and popped as the walk goes: copied only when an error needs it. */
  private readonly path: ResultPath = [];

  constructor(
    private readonly variables: Readonly<Record<string, unknown>>,
    /** Paths that already carry a subgraph error: the spec's one error per field (§6.4.4) means no second one there. */
    private readonly erroredPaths: ReadonlySet<string>,
  ) {}

  object(shape: ObjectShape, data: JsonObject): JsonObject | typeof INVALID {
    const result: JsonObject = {};
    // Most shapes keep one order whatever the variables: read in place, no list built per object.
    for (const field of shape.orderVaries ? visibleFields(shape, this.variables) : shape.fields) {
      if (!isVisible(field.visibility, this.variables)) continue;
      if (field.typename) {
        result[field.key] = shape.typename;
        continue;
      }
      this.path.push(field.key);
      const value = this.value(field.value, data[field.key], `${shape.typename}.${field.fieldName}`);
      this.path.pop();
      if (value === INVALID) return INVALID;
      result[field.key] = value;
    }
    return result;
  }

  private value(shape: ValueShape, value: unknown, coordinate: string): unknown {
    if (value === null || value === undefined) return this.nullAt(shape, coordinate);
    if (shape.kind === 'Leaf') return value;
    if (shape.kind === 'List') {
      if (!Array.isArray(value)) return this.nullAt(shape, coordinate);
      const items: unknown[] = new Array(value.length);
      for (let index = 0; index < value.length; index++) {
        this.path.push(index);
        const item = this.value(shape.item, value[index], coordinate);
        this.path.pop();
        if (item === INVALID) return shape.nonNull ? INVALID : null;
        items[index] = item;
      }
      return items;
    }
    if (!isObject(value)) return this.nullAt(shape, coordinate);
    const objectShape = this.concreteShape(shape.byType, value);
    // A type the client cannot see (@inaccessible) or no `__typename` where one was needed: nothing to complete it as.
    if (!objectShape) return this.nullAt(shape, coordinate);
    const completed = this.object(objectShape, value);
    if (completed === INVALID) return shape.nonNull ? INVALID : null;
    return completed;
  }

  private concreteShape(byType: ReadonlyMap<string, ObjectShape>, value: JsonObject): ObjectShape | undefined {
    if (byType.size === 1) return byType.values().next().value;
    const typename = value.__typename;
    return typeof typename === 'string' ? byType.get(typename) : undefined;
  }

  /** Null is the value of a nullable position; in a non-null one it is a field error, and it bubbles. */
  private nullAt(shape: ValueShape, coordinate: string): unknown {
    if (!shape.nonNull) return null;
    if (!this.erroredPaths.has(pathKey(this.path))) {
      this.errors.push({ message: `Cannot return null for non-nullable field ${coordinate}.`, path: [...this.path] });
    }
    return INVALID;
  }
}

function pathKey(path: ResultPath): string {
  return path.join('\u0000');
}

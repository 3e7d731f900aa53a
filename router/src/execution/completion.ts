import { isObject, type JsonObject } from './data-rewrites';
import type { ResultPath } from './entity-representations';
import type { LocatedError } from './fetch-execution';
import { isVisible, visibleFields, type ObjectShape, type ValueShape } from './response-shape';

type ObjectValueShape = Extract<ValueShape, { kind: 'Object' }>;

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
  /** Where a failed fetch left values out, its error reported elsewhere (`FetchedData.failedPaths`). */
  failedPaths: readonly ResultPath[] = [],
): CompletedResponse {
  const reported = [...subgraphErrors.filter((error) => error.path).map((error) => error.path!), ...failedPaths];
  const completion = new Completion(variables, new Set(reported.map(pathKey)));
  const completed = completion.object(shape, data);
  return { data: completed === INVALID ? null : completed, errors: completion.errors };
}

/**
 * Completes one value at `path` on its own: a deferred fragment's object, delivered apart from the
 * rest (null when a non-null field in it is null: propagation stops at the fragment, as the
 * incremental delivery proposal says).
 */
export function completeValueAt(
  shape: ValueShape,
  value: unknown,
  path: ResultPath,
  variables: Readonly<Record<string, unknown>>,
  subgraphErrors: readonly LocatedError[],
  failedPaths: readonly ResultPath[] = [],
): { data: unknown; errors: LocatedError[] } {
  const reported = [...subgraphErrors.filter((error) => error.path).map((error) => error.path!), ...failedPaths];
  const completion = new Completion(variables, new Set(reported.map(pathKey)), path);
  const completed = completion.value(shape, value, shape.kind === 'Object' ? shape.typeName : '');
  return { data: completed === INVALID ? null : completed, errors: completion.errors };
}

class Completion {
  readonly errors: LocatedError[] = [];
  /** The current path, pushed and popped as the walk goes: copied only when an error needs it. */
  private readonly path: (string | number)[];

  constructor(
    private readonly variables: Readonly<Record<string, unknown>>,
    /**
     * Paths that already carry a subgraph error: the spec's one error per field (§6.4.4) means no
     * second one there, nor below: a failed fetch reports once, where its data would have gone.
     */
    private readonly erroredPaths: ReadonlySet<string>,
    /** Where the completed value is in the response (empty: the root). */
    at: ResultPath = [],
  ) {
    this.path = [...at];
  }

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

  value(shape: ValueShape, value: unknown, coordinate: string): unknown {
    if (value === null || value === undefined) return this.nullAt(shape, coordinate);
    if (shape.kind === 'Leaf') {
      if (shape.enumType && !shape.enumType.values.has(value as string)) {
        return this.fieldError(shape, `Enum "${shape.enumType.name}" cannot represent value: ${JSON.stringify(value)}`);
      }
      return value;
    }
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
    const objectShape = this.concreteShape(shape, value);
    if (!objectShape) {
      // A type the client cannot see (@inaccessible): a field error, in graphql-js's words, not a silent null.
      const typename = value.__typename;
      if (typeof typename === 'string') return this.fieldError(shape, `Runtime Object type "${typename}" is not a possible type for "${shape.typeName}".`);
      return this.nullAt(shape, coordinate);
    }
    const completed = this.object(objectShape, value);
    if (completed === INVALID) return shape.nonNull ? INVALID : null;
    return completed;
  }

  /**
   * An object type's value is of that type; an abstract type's is of the type its `__typename` names,
   * if the client may see that type, or of any type when it names the interface (an @interfaceObject's).
   */
  private concreteShape(shape: ObjectValueShape, value: JsonObject): ObjectShape | undefined {
    const typename = value.__typename;
    if (shape.byType.size === 1 && (typeof typename !== 'string' || shape.byType.has(shape.typeName))) return shape.byType.values().next().value;
    if (typename === shape.typeName) return shape.anyType;
    return typeof typename === 'string' ? shape.byType.get(typename) : undefined;
  }

  /**
   * A field error at this path (spec §6.4.4), then null as for any field error: a value the
   * client's schema cannot represent, or none where the schema guarantees one. It carries a code of
   * the table, so clients can branch on it and the router does not log it as its own bug.
   */
  private fieldError(shape: ValueShape, message: string): unknown {
    this.errors.push({ message, path: [...this.path], extensions: { code: 'INCOMPLETE_DATA' } });
    return shape.nonNull ? INVALID : null;
  }

  /** Null is the value of a nullable position; in a non-null one it is a field error (once per failure), and it bubbles. */
  private nullAt(shape: ValueShape, coordinate: string): unknown {
    if (!shape.nonNull) return null;
    if (this.reported()) return INVALID;
    return this.fieldError(shape, `Cannot return null for non-nullable field ${coordinate}.`);
  }

  /** Whether the current path, or a path above it, already carries an error. */
  private reported(): boolean {
    if (this.erroredPaths.size === 0) return false;
    for (let length = this.path.length; length >= 0; length--) {
      if (this.erroredPaths.has(pathKey(this.path.slice(0, length)))) return true;
    }
    return false;
  }
}

function pathKey(path: ResultPath): string {
  return path.join('\u0000');
}

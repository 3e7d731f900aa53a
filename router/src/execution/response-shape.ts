import {
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type GraphQLCompositeType,
  type GraphQLField,
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DirectiveNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * The client's selection compiled once per operation against the API schema, so that completing a
 * response is a walk over this shape instead of re-collecting fields (GraphQL spec §6.3.2
 * CollectFields) on every request. Fragments and inline fragments are resolved per concrete type;
 * what stays for execution time is `@include`/`@skip` on variables.
 */

/** A literal of a condition: the variable must have this boolean value. */
export interface VariableLiteral {
  variable: string;
  /** true for `@include(if: $v)`, false for `@skip(if: $v)`. */
  equals: boolean;
}
/**
 * When a field is in the response: when ANY of its occurrences is selected, an occurrence being
 * selected when ALL the conditions on the way to it hold. An empty list of conjunctions is never;
 * one empty conjunction is always.
 */
export type Visibility = readonly (readonly VariableLiteral[])[];

export type ValueShape =
  /** `enumType`: an enum's name and the values the client may see (a subgraph may send one that is @inaccessible). */
  | { kind: 'Leaf'; nonNull: boolean; enumType?: { name: string; values: ReadonlySet<string> } }
  | { kind: 'List'; nonNull: boolean; item: ValueShape }
  /**
   * `byType` holds a shape for every concrete type the value may have; `typeName` is the field's
   * (maybe abstract) type. `anyType`: the shape for an object whose concrete type is not known, when
   * every possible type selects the same (an @interfaceObject's object says only its interface's
   * name, and a planner fetches the concrete type only when the selection depends on it).
   */
  | { kind: 'Object'; nonNull: boolean; typeName: string; byType: ReadonlyMap<string, ObjectShape>; anyType?: ObjectShape };

export interface FieldShape {
  /** The response key: the alias, or the field name. */
  key: string;
  /** The field's name in the schema, for error messages (`Cannot return null for non-nullable field User.name`). */
  fieldName: string;
  /** `__typename` is answered from the concrete type, not read from data. */
  typename: boolean;
  visibility: Visibility;
  /** `order[i]`: where occurrence `visibility[i]` comes among all the occurrences of the selection: the key goes where its first included occurrence is. */
  order: readonly number[];
  value: ValueShape;
}

export interface ObjectShape {
  typename: string;
  /** In the order of each key's first occurrence: the response's order whenever `orderVaries` is false. */
  fields: readonly FieldShape[];
  /**
   * Whether the variables can change the order of keys: a key whose first occurrence is conditional
   * and that occurs again later moves there when the first is skipped (`a @skip(if: $s) b a`: b, a).
   */
  orderVaries: boolean;
}

/** The shape of the operation's root selection: one object of the root type. */
export function compileResponseShape(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: readonly FragmentDefinitionNode[]): ObjectShape {
  const root = schema.getRootType(operation.operation);
  if (!root) throw new Error(`The schema has no ${operation.operation} type`);
  const compiler = new ShapeCompiler(schema, new Map(fragments.map((fragment) => [fragment.name.value, fragment])));
  return compiler.objectShape(root, [{ selectionSet: operation.selectionSet, conditions: [] }]);
}

/**
 * The shape of a selection set on a value of `type` (nullable): a deferred fragment's, completed
 * on its own at the path where it is delivered.
 */
export function compileSelectionShape(
  schema: GraphQLSchema,
  type: GraphQLCompositeType,
  selectionSet: SelectionSetNode,
  fragments: readonly FragmentDefinitionNode[],
): ValueShape {
  const compiler = new ShapeCompiler(schema, new Map(fragments.map((fragment) => [fragment.name.value, fragment])));
  return compiler.valueShape(type, [{ selectionSet, conditions: [] }]);
}

/** A selection set reached under some conditions (the directives on the fragments and fields above it). */
interface ConditionedSelections {
  selectionSet: SelectionSetNode;
  conditions: readonly VariableLiteral[];
}

const META_FIELDS: Readonly<Record<string, GraphQLField<unknown, unknown>>> = { __schema: SchemaMetaFieldDef, __type: TypeMetaFieldDef };

class ShapeCompiler {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  ) {}

  /** CollectFields for one concrete type, merging every occurrence of a response key (spec §6.3.2). */
  objectShape(type: GraphQLObjectType, selectionSets: readonly ConditionedSelections[]): ObjectShape {
    const occurrences = new Map<string, { name: string; visibility: VariableLiteral[][]; order: number[]; selections: ConditionedSelections[] }>();
    let occurrenceCount = 0;
    const collect = (selectionSet: SelectionSetNode, conditions: readonly VariableLiteral[]): void => {
      for (const selection of selectionSet.selections) {
        const own = directiveConditions(selection.directives);
        if (own === 'never') continue;
        const all = [...conditions, ...own];
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          let entry = occurrences.get(key);
          if (!entry) occurrences.set(key, (entry = { name: selection.name.value, visibility: [], order: [], selections: [] }));
          entry.visibility.push(all);
          entry.order.push(occurrenceCount++);
          if (selection.selectionSet) entry.selections.push({ selectionSet: selection.selectionSet, conditions: all });
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (this.applies(selection.typeCondition?.name.value, type)) collect(selection.selectionSet, all);
        } else {
          const fragment = this.fragments.get(selection.name.value);
          if (!fragment) throw new Error(`Unknown fragment ${selection.name.value}`);
          if (this.applies(fragment.typeCondition.name.value, type)) collect(fragment.selectionSet, all);
        }
      }
    };
    for (const { selectionSet, conditions } of selectionSets) collect(selectionSet, conditions);

    const fields: FieldShape[] = [];
    for (const [key, { name, visibility, order, selections }] of occurrences) {
      if (name === '__typename') {
        fields.push({ key, fieldName: name, typename: true, visibility, order, value: { kind: 'Leaf', nonNull: true } });
        continue;
      }
      // `__schema` and `__type` are the query type's without being among its fields (spec §4.2); the router answers them.
      const definition = type.getFields()[name] ?? (type === this.schema.getQueryType() ? META_FIELDS[name] : undefined);
      if (!definition) throw new Error(`${type.name} has no field ${name}`);
      // Each occurrence's subselection keeps the conditions on the way to it: under `a @include(if: $x) { b }`
      // and `a { c }`, b is there only when $x is true, c always.
      fields.push({ key, fieldName: name, typename: false, visibility, order, value: this.valueShape(definition.type, selections) });
    }
    const orderVaries = fields.some((field) => field.visibility.length > 1 && field.visibility[0]!.length > 0);
    return { typename: type.name, fields, orderVaries };
  }

  valueShape(type: GraphQLOutputType, selections: readonly ConditionedSelections[]): ValueShape {
    const nonNull = isNonNullType(type);
    const nullable = getNullableType(type);
    if (isListType(nullable)) return { kind: 'List', nonNull, item: this.valueShape(nullable.ofType, selections) };
    if (isEnumType(nullable))
      return { kind: 'Leaf', nonNull, enumType: { name: nullable.name, values: new Set(nullable.getValues().map((value) => value.name)) } };
    if (isLeafType(nullable)) return { kind: 'Leaf', nonNull };
    const named = getNamedType(nullable);
    const possible = isAbstractType(named) ? this.schema.getPossibleTypes(named) : isObjectType(named) ? [named] : [];
    const byType = new Map(possible.map((concrete) => [concrete.name, this.objectShape(concrete, selections)]));
    const shapes = [...byType.values()];
    const anyType = isAbstractType(named) && shapes.every((shape) => sameObjectShape(shape, shapes[0]!)) ? shapes[0] : undefined;
    return { kind: 'Object', nonNull, typeName: named.name, byType, ...(anyType ? { anyType } : {}) };
  }

  /** A fragment applies to a concrete type when the type is its condition or one of the condition's possible types (spec DoesFragmentTypeApply). */
  private applies(condition: string | undefined, type: GraphQLObjectType): boolean {
    if (condition === undefined || condition === type.name) return true;
    const conditionType = this.schema.getType(condition);
    return conditionType !== undefined && isAbstractType(conditionType) && this.schema.isSubType(conditionType, type);
  }
}

/**
 * Whether two possible types' shapes complete alike: the same keys, fields and subselections, and
 * no `__typename` of their own (which names the type; below them it names the same nested types).
 */
function sameObjectShape(a: ObjectShape, b: ObjectShape, nested = false): boolean {
  if (a.fields.length !== b.fields.length || a.orderVaries !== b.orderVaries) return false;
  return a.fields.every((field, index) => {
    const other = b.fields[index]!;
    return (
      (nested ? field.typename === other.typename : !field.typename && !other.typename) &&
      field.key === other.key &&
      field.fieldName === other.fieldName &&
      JSON.stringify([field.visibility, field.order]) === JSON.stringify([other.visibility, other.order]) &&
      sameValueShape(field.value, other.value)
    );
  });
}

function sameValueShape(a: ValueShape, b: ValueShape): boolean {
  if (a.kind !== b.kind || a.nonNull !== b.nonNull) return false;
  if (a.kind === 'List' && b.kind === 'List') return sameValueShape(a.item, b.item);
  if (a.kind === 'Object' && b.kind === 'Object') {
    return a.typeName === b.typeName && [...a.byType].every(([name, shape]) => b.byType.has(name) && sameObjectShape(shape, b.byType.get(name)!, true));
  }
  return a.kind === 'Leaf' && b.kind === 'Leaf' && a.enumType?.name === b.enumType?.name;
}

/** `@skip`/`@include` (spec §3.13) as literals; literal `if: true/false` decided now. */
function directiveConditions(directives: readonly DirectiveNode[] | undefined): VariableLiteral[] | 'never' {
  const literals: VariableLiteral[] = [];
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const argument = directive.arguments?.find((candidate) => candidate.name.value === 'if')?.value;
    const equals = name === 'include';
    if (argument?.kind === Kind.BOOLEAN) {
      if (argument.value !== equals) return 'never';
    } else if (argument?.kind === Kind.VARIABLE) {
      literals.push({ variable: argument.name.value, equals });
    }
  }
  return literals;
}

/** Whether a field is in the response for these (coerced) variable values. */
export function isVisible(visibility: Visibility, variables: Readonly<Record<string, unknown>>): boolean {
  return visibility.some((conjunction) => conjunction.every((literal) => (variables[literal.variable] === true) === literal.equals));
}

/** The fields in the response for these variables, in the response's order (spec §6.3.2: each key where its first selected occurrence is). */
export function visibleFields(shape: ObjectShape, variables: Readonly<Record<string, unknown>>): readonly FieldShape[] {
  if (!shape.orderVaries) return shape.fields.filter((field) => isVisible(field.visibility, variables));
  const placed: { position: number; field: FieldShape }[] = [];
  for (const field of shape.fields) {
    const first = field.visibility.findIndex((conjunction) => conjunction.every((literal) => (variables[literal.variable] === true) === literal.equals));
    if (first >= 0) placed.push({ position: field.order[first]!, field });
  }
  return placed.sort((a, b) => a.position - b.position).map(({ field }) => field);
}

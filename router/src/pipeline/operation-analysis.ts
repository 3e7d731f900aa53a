import {
  Kind,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { AuthorizationPolicy } from '../authorization';
import { isStorableText } from '../text-input';

export interface OperationMeasure {
  depth: number;
  aliases: number;
  rootFields: number;
  /** Estimated number of fields resolved: list sizes from first/last/limit arguments multiply their subtree. */
  cost: number;
}

export interface OperationAnalysis extends OperationMeasure {
  /** Deepest nesting of list and object literals in any argument (a scalar is 0, `[1]` is 1). */
  literalDepth: number;
  /** Whether a string literal in an argument holds a NUL or a lone surrogate (see text-input.ts). */
  unstorableLiteral: boolean;
  /**
   * Whether a Float literal is too large for a double (`1e400`): the spec makes that a request error,
   * graphql-js lets it through as Infinity, and Hive's planner would print it as `inf` for the subgraph.
   */
  infiniteFloatLiteral: boolean;
  /** Whether any selected field has an @authenticated / @requiresScopes requirement. */
  touchesProtected: boolean;
  /** Whether a list size comes from a variable: the cost must then be measured per request. */
  costFromVariables: boolean;
}

/** Arguments whose value is taken as the size of the list a field returns. */
const SIZE_ARGUMENTS = new Set(['first', 'last', 'limit', 'take', 'pageSize']);

/**
 * The one walk over an operation's selections (fragments followed, each spread counted where it
 * is used): depth, aliases, root fields, cost, argument literal nesting and text, and whether a
 * protected field is read — everything operation limits, cost and authorization decide on. Variables feed
 * the list sizes of the cost estimate.
 */
export function analyseOperation(
  schema: GraphQLSchema,
  policy: AuthorizationPolicy | undefined,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
): OperationAnalysis {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  let aliases = 0;
  let depth = 0;
  let literalDepth = 0;
  let unstorableLiteral = false;
  let infiniteFloatLiteral = false;
  const measureLiteral = (value: ValueNode) => {
    const measured = measureValue(value);
    literalDepth = Math.max(literalDepth, measured.depth);
    unstorableLiteral ||= measured.unstorableText;
    infiniteFloatLiteral ||= measured.infiniteFloat;
  };
  let touchesProtected = false;
  let costFromVariables = false;

  const sizeOf = (value: ValueNode): number => {
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.VARIABLE) {
      costFromVariables = true;
      const given = variables[value.name.value];
      return typeof given === 'number' && Number.isFinite(given) ? given : 1;
    }
    return 1;
  };

  // Returns the cost of the selection set; counts aliases, depth and protected fields on the way.
  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType | undefined, level: number, seen: Set<string>): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      for (const directive of selection.directives ?? []) for (const argument of directive.arguments ?? []) measureLiteral(argument.value);
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) aliases++;
        if (level > depth) depth = level;
        let size = 1;
        for (const argument of selection.arguments ?? []) {
          measureLiteral(argument.value);
          if (SIZE_ARGUMENTS.has(argument.name.value)) size = Math.max(size, sizeOf(argument.value));
        }
        // Introspection (__schema, __type) is bounded by the schema itself, and its standard query
        // nests `ofType` deeply: count it as one field, as Hive Gateway's limits do.
        if (selection.selectionSet && selection.name.value.startsWith('__')) {
          cost += 1;
          continue;
        }
        let child: GraphQLCompositeType | undefined;
        if (parent && (isObjectType(parent) || isInterfaceType(parent))) {
          const field = parent.getFields()[selection.name.value];
          if (field && policy?.requirements(parent.name, selection.name.value)) touchesProtected = true;
          const named = field && getNamedType(field.type);
          child = named && isCompositeType(named) ? named : undefined;
        }
        cost += 1 + (selection.selectionSet ? size * walk(selection.selectionSet, child, level + 1, seen) : 0);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        cost += walk(selection.selectionSet, typed && isCompositeType(typed) ? typed : parent, level, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // Validation rejects fragment cycles; the guard keeps a bug from becoming a stack overflow.
        if (!fragment || seen.has(name)) continue;
        const typed = schema.getType(fragment.typeCondition.name.value);
        cost += walk(fragment.selectionSet, typed && isCompositeType(typed) ? typed : parent, level, new Set(seen).add(name));
      }
    }
    return cost;
  };

  const root = schema.getRootType(operation.operation) ?? undefined;
  const cost = walk(operation.selectionSet, root, 1, new Set());
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) measureLiteral(definition.defaultValue);
  }
  const rootFields = countRootFields(operation.selectionSet, fragments, new Set());
  return {
    depth,
    aliases,
    rootFields,
    cost,
    literalDepth,
    unstorableLiteral,
    infiniteFloatLiteral,
    touchesProtected: touchesProtected && !policy?.empty,
    costFromVariables,
  };
}

/**
 * Nesting of list and object literals, whether a string among them is one no database stores and
 * whether a float among them is infinite as a double; without recursion (the parser's token limit bounds the size).
 */
function measureValue(value: ValueNode): { depth: number; unstorableText: boolean; infiniteFloat: boolean } {
  let deepest = 0;
  let unstorable = false;
  let infiniteFloat = false;
  const stack: [ValueNode, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, level] = stack.pop()!;
    if (level > deepest) deepest = level;
    if (node.kind === Kind.STRING) unstorable ||= !isStorableText(node.value);
    else if (node.kind === Kind.FLOAT) infiniteFloat ||= !Number.isFinite(Number(node.value));
    else if (node.kind === Kind.LIST) for (const item of node.values) stack.push([item, level + 1]);
    else if (node.kind === Kind.OBJECT) for (const field of node.fields) stack.push([field.value, level + 1]);
  }
  return { depth: deepest, unstorableText: unstorable, infiniteFloat };
}

function countRootFields(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) count++;
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += countRootFields(selection.selectionSet, fragments, seen);
    else {
      const fragment = fragments.get(selection.name.value);
      if (fragment && !seen.has(fragment.name.value)) count += countRootFields(fragment.selectionSet, fragments, new Set(seen).add(fragment.name.value));
    }
  }
  return count;
}

import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  getNamedType,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import type { ProtectionConfig } from '@supergraph/config';
import { extensionsWithoutHttp, requestRefused } from '@supergraph/server';
import type { RouterContext } from './context';

export type LimitName = 'depth' | 'aliases' | 'rootFields' | 'tokens' | 'cost';
export type OperationLimits = ProtectionConfig['limits'];

const LIMIT_KEYS: Record<Exclude<LimitName, 'tokens'>, keyof OperationLimits> = {
  depth: 'maxDepth',
  aliases: 'maxAliases',
  rootFields: 'maxRootFields',
  cost: 'maxCost',
};

/** Arguments whose value is taken as the size of the list a field returns. */
const SIZE_ARGUMENTS = new Set(['first', 'last', 'limit', 'take', 'pageSize']);

export function limitExceeded(limit: LimitName, max: number, actual?: number): GraphQLError {
  const what = { depth: 'depth', aliases: 'number of aliases', rootFields: 'number of root fields', tokens: 'number of tokens', cost: 'estimated cost' }[limit];
  return requestRefused('OPERATION_LIMIT_EXCEEDED', `Operation ${what}${actual === undefined ? '' : ` (${actual})`} exceeds the limit "${limit}" of ${max}`, {
    limit,
    max,
    ...(actual === undefined ? {} : { actual }),
  });
}

export interface OperationMeasure {
  depth: number;
  aliases: number;
  rootFields: number;
  /** Estimated number of fields resolved: list sizes from first/last/limit arguments multiply their subtree. */
  cost: number;
}

/**
 * Measures an operation in one walk over its selections (fragments followed, each spread counted
 * where it is used). Variables feed the list sizes of the cost estimate.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
): OperationMeasure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  let aliases = 0;
  let depth = 0;

  const sizeOf = (value: ValueNode): number => {
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.VARIABLE) {
      const given = variables[value.name.value];
      return typeof given === 'number' && Number.isFinite(given) ? given : 1;
    }
    return 1;
  };

  // Returns the cost of the selection set; counts aliases and depth on the way.
  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType | undefined, level: number, seen: Set<string>): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) aliases++;
        if (level > depth) depth = level;
        // Introspection (__schema, __type) is bounded by the schema itself, and its standard query
        // nests `ofType` deeply: count it as one field, as Hive Gateway's limits do.
        if (selection.selectionSet && selection.name.value.startsWith('__')) {
          cost += 1;
          continue;
        }
        let size = 1;
        for (const argument of selection.arguments ?? []) {
          if (SIZE_ARGUMENTS.has(argument.name.value)) size = Math.max(size, sizeOf(argument.value));
        }
        let child: GraphQLCompositeType | undefined;
        if (parent && (isObjectType(parent) || isInterfaceType(parent))) {
          const field: GraphQLField<unknown, unknown> | undefined = parent.getFields()[selection.name.value];
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
        const inner = new Set(seen).add(name);
        cost += walk(fragment.selectionSet, typed && isCompositeType(typed) ? typed : parent, level, inner);
      }
    }
    return cost;
  };

  const root = schema.getRootType(operation.operation) ?? undefined;
  const rootFields = countRootFields(operation.selectionSet, fragments, new Set());
  const cost = walk(operation.selectionSet, root, 1, new Set());
  return { depth, aliases, rootFields, cost };
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

/** The first limit the measure breaks, if any. */
export function checkLimits(measure: OperationMeasure, limits: OperationLimits): GraphQLError | undefined {
  for (const [limit, key] of Object.entries(LIMIT_KEYS) as [Exclude<LimitName, 'tokens'>, keyof OperationLimits][]) {
    const max = limits[key];
    if (max > 0 && measure[limit] > max) return limitExceeded(limit, max, measure[limit]);
  }
  return undefined;
}

/**
 * Enforces the limits after validation and before the gateway plans the operation. Documents come
 * from Apollo Server's document cache, so an operation seen before is measured from a cached
 * result unless its list sizes come from variables.
 */
export function operationLimitsPlugin(schema: GraphQLSchema, limits: OperationLimits): ApolloServerPlugin<RouterContext> {
  const cache = new WeakMap<OperationDefinitionNode, OperationMeasure | 'variable'>();
  // One listener for every request: nothing is allocated per request unless a measure is.
  const listener: GraphQLRequestListener<RouterContext> = {
    async didResolveOperation({ document, operation, request }) {
      if (!operation) return;
      let measure = cache.get(operation);
      if (measure === undefined) {
        const usesVariables = (operation.variableDefinitions?.length ?? 0) > 0;
        const measured = measureOperation(schema, document, operation, request.variables ?? {});
        cache.set(operation, usesVariables ? 'variable' : measured);
        measure = measured;
      } else if (measure === 'variable') {
        measure = measureOperation(schema, document, operation, request.variables ?? {});
      }
      const error = checkLimits(measure, limits);
      if (error) throw error;
    },
  };
  return { requestDidStart: async () => listener };
}

/**
 * graphql-js enforces the token limit while parsing (parseOptions.maxTokens, so an oversized
 * document is never fully parsed) and reports it as a syntax error ("more that N tokens" in
 * graphql 16): give it our code.
 */
export function tokenLimitError(formatted: GraphQLFormattedError, maxTokens: number): GraphQLFormattedError {
  const tooManyTokens = formatted.extensions?.code === ApolloServerErrorCode.GRAPHQL_PARSE_FAILED && /contains more tha[nt] \d+ tokens/.test(formatted.message);
  if (!tooManyTokens) return formatted;
  const error = limitExceeded('tokens', maxTokens);
  return { message: error.message, extensions: extensionsWithoutHttp(error) };
}

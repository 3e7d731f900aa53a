import { execute, Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionNode } from 'graphql';
import type { JsonObject } from './data-rewrites';

/** An operation split into what the router answers itself (`__schema`, `__type`) and what the subgraphs answer. */
export interface SplitOperation {
  /** The introspection root fields alone, run on the API schema; absent when there are none. */
  introspection?: DocumentNode;
  /** The document for the planner: the operation without its introspection root fields (the original when there were none; absent when nothing is left). */
  planned?: DocumentNode;
}

const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

const isIntrospection = (selection: SelectionNode): boolean => selection.kind === Kind.FIELD && INTROSPECTION_FIELDS.has(selection.name.value);

/**
 * Introspection is the router's to answer (spec §4: the API schema is the router's, not a
 * subgraph's), and planners do not plan it: Hive's refuses `__type`, Apollo's skips it. Root
 * introspection fields are taken out before planning and run on the API schema; their results are
 * merged before completion, which then orders every key as the client selected them.
 */
export function splitIntrospection(document: DocumentNode, operation: OperationDefinitionNode): SplitOperation {
  const selections = operation.selectionSet.selections;
  if (!selections.some(isIntrospection)) return { planned: document };
  const withSelections = (kept: readonly SelectionNode[]): DocumentNode => ({
    ...document,
    definitions: document.definitions.map((definition) =>
      definition === operation ? { ...operation, selectionSet: { ...operation.selectionSet, selections: kept } } : definition,
    ),
  });
  const rest = selections.filter((selection) => !isIntrospection(selection));
  return { introspection: withSelections(selections.filter(isIntrospection)), ...(rest.length > 0 ? { planned: withSelections(rest) } : {}) };
}

/** Runs the introspection part: graphql-js answers it synchronously from the schema alone. */
export function executeIntrospection(
  apiSchema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Readonly<Record<string, unknown>>,
): JsonObject {
  const result = execute({ schema: apiSchema, document, operationName, variableValues: variables });
  if ('then' in result) throw new Error('Introspection resolved asynchronously');
  return (result.data ?? {}) as JsonObject;
}

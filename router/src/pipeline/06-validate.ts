import { ApolloServerErrorCode } from '@apollo/server/errors';
import { getVariableValues, GraphQLError, Kind, NoSchemaIntrospectionCustomRule, specifiedRules, validate, type OperationDefinitionNode } from 'graphql';
import { requestRefused } from '@supergraph/server';
import { badRequest } from './01-input-limits';
import type { OperationRequest, Stage } from './operation-request';
import type { SchemaState } from './schema-state';

export interface ValidateOptions {
  /** Introspection allowed (off in production: `__schema` and `__type` fail validation). */
  introspection: boolean;
}

/**
 * Stage 6: the document is valid against the API schema (once per document and schema), the
 * request names one operation of it, and its variables are coerced to that operation's variable
 * definitions (spec §6.1.2 CoerceVariableValues: defaults filled in, types checked), so every
 * later stage and the executor read values of the declared types. The schema state read here is
 * the operation's from now on; the operation type comes from here, the parsed document.
 */
export function validateOperation(schema: () => SchemaState, options: ValidateOptions): Stage {
  const rules = options.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  return {
    name: 'validate',
    run(request: OperationRequest) {
      const state = (request.schemaState ??= schema());
      const document = request.document!;
      let errors = state.validated.get(document);
      if (!errors) {
        errors = validate(state.apiSchema, document, rules).map(
          (error) =>
            new GraphQLError(error.message, {
              nodes: error.nodes,
              extensions: { code: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED, http: { status: 400 } },
            }),
        );
        state.validated.set(document, errors);
      }
      if (errors.length > 0) throw errors[0];

      const operation = selectOperation(document.definitions, request.operationName);
      if (operation.operation === 'subscription' && request.transport === 'http') {
        throw badRequest('Subscriptions are served over WebSocket (graphql-transport-ws) or Server-Sent Events, not plain HTTP');
      }
      request.operation = operation;
      request.operationType = operation.operation;
      const coerced = getVariableValues(state.apiSchema, operation.variableDefinitions ?? [], request.variables ?? {});
      if (coerced.errors) throw requestRefused('BAD_USER_INPUT', coerced.errors[0]!.message);
      request.variables = coerced.coerced;
    },
  };
}

function selectOperation(definitions: readonly { kind: string }[], operationName: string | undefined): OperationDefinitionNode {
  const operations = definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (operationName === '') throw badRequest('"operationName" is empty: name an operation of the document, or leave it out');
  if (operationName === undefined) {
    if (operations.length === 1) return operations[0]!;
    throw badRequest('The document has several operations: "operationName" must name the one to run');
  }
  const named = operations.find((operation) => operation.name?.value === operationName);
  if (!named) throw badRequest(`"operationName" ${JSON.stringify(operationName.slice(0, 100))} names no operation of the document`);
  return named;
}

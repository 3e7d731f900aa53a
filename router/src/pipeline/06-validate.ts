import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, Kind, NoSchemaIntrospectionCustomRule, specifiedRules, validate, type OperationDefinitionNode } from 'graphql';
import { badRequest } from './01-input-limits';
import type { OperationRequest, Stage } from './operation-request';
import type { PreparedDocuments, SchemaState } from './schema-state';

export interface ValidateOptions {
  /** Introspection allowed (off in production: `__schema` and `__type` fail validation). */
  introspection: boolean;
}

/**
 * Stage 6: the document is valid against the API schema (once per document and schema), and the
 * request names one operation of it. The schema state read here is the operation's from now on. The operation type comes from here, the parsed document.
 */
export function validateOperation(schema: () => SchemaState, documents: PreparedDocuments, options: ValidateOptions): Stage {
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
      documents.remember(request.queryHash!, document);

      const operation = selectOperation(document.definitions, request.operationName);
      if (operation.operation === 'subscription' && request.transport === 'http') {
        throw badRequest('Subscriptions are served over WebSocket (graphql-transport-ws) or Server-Sent Events, not plain HTTP');
      }
      request.operation = operation;
      request.operationType = operation.operation;
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

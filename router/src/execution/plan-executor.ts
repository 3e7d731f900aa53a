import {
  getVariableValues,
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { FetchNode, OperationPlan, PlanNode } from '../planning/plan';
import { completeResponse } from './completion';
import { executeIntrospection } from './introspection';
import { applyRewrites, isObject, type JsonObject } from './data-rewrites';
import type { DataSource, SubgraphError } from './data-source';
import { runPlan, type LocatedError } from './fetch-execution';
import { compileResponseShape, type ObjectShape } from './response-shape';

/** An operation ready to execute many times: its plan and its response shape, compiled once. */
export interface CompiledOperation {
  operation: OperationDefinitionNode;
  plan: OperationPlan;
  shape: ObjectShape;
  /** The root introspection fields, answered by the router from the API schema (see introspection.ts). */
  introspection?: DocumentNode;
}

export interface ExecutionResponse {
  data?: JsonObject | null;
  errors?: LocatedError[];
}

/** Compiles what depends only on the operation; callers cache the result with the plan. */
export function compileOperation(
  apiSchema: GraphQLSchema,
  document: DocumentNode,
  plan: OperationPlan,
  operationName?: string,
  introspection?: DocumentNode,
): CompiledOperation {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName
    ? operations.find((candidate) => candidate.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation) throw new Error(operationName ? `Unknown operation ${operationName}` : 'The document must name the operation to run');
  const fragments = document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION);
  return { operation, plan, shape: compileResponseShape(apiSchema, operation, fragments), ...(introspection ? { introspection } : {}) };
}

/**
 * Executes a compiled query or mutation: variables coerced as the spec says (§6.1.2, defaults
 * included), the plan's fetches run, the merged data completed onto the client's shape.
 */
export async function executeCompiledOperation(
  apiSchema: GraphQLSchema,
  compiled: CompiledOperation,
  rawVariables: Readonly<Record<string, unknown>> | undefined,
  dataSource: DataSource,
): Promise<ExecutionResponse> {
  const coerced = getVariableValues(apiSchema, compiled.operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return { errors: coerced.errors.map((error) => ({ message: error.message })) };
  const variables = coerced.coerced;
  const fetched = await runPlan(apiSchema, compiled.plan.node, variables, dataSource);
  if (compiled.introspection) Object.assign(fetched.data, executeIntrospection(apiSchema, compiled.introspection, compiled.operation.name?.value, variables));
  const completed = completeResponse(compiled.shape, fetched.data, variables, fetched.errors, fetched.failedPaths);
  const errors = [...fetched.errors, ...completed.errors];
  return errors.length > 0 ? { data: completed.data, errors } : { data: completed.data };
}

/** One event of a subscription: the owning subgraph's data for the root field, and what completes it. */
export interface SubscriptionEvent {
  data?: Record<string, unknown> | null;
  errors?: readonly SubgraphError[];
}

/**
 * Completes one subscription event (spec §6.2.3 MapSourceToResponseEvent): the event stands for
 * the primary fetch's response, the plan's other fetches run from it, and the merged data is
 * completed onto the client's shape, as a query's would be.
 */
export async function executeSubscriptionEvent(
  apiSchema: GraphQLSchema,
  plan: { primary: FetchNode; rest?: PlanNode; shape: ObjectShape },
  event: SubscriptionEvent,
  variables: Readonly<Record<string, unknown>>,
  dataSource: DataSource,
): Promise<ExecutionResponse> {
  const data: JsonObject = isObject(event.data) ? event.data : {};
  if (plan.primary.outputRewrites) applyRewrites(apiSchema, data, plan.primary.outputRewrites);
  const eventErrors: LocatedError[] = (event.errors ?? []).map((error) => ({
    message: error.message,
    ...(error.path ? { path: [...error.path] } : {}),
    extensions: { ...error.extensions, serviceName: plan.primary.serviceName },
  }));
  const fetched = await runPlan(apiSchema, plan.rest, variables, dataSource, data);
  const completed = completeResponse(plan.shape, fetched.data, variables, [...eventErrors, ...fetched.errors], fetched.failedPaths);
  const errors = [...eventErrors, ...fetched.errors, ...completed.errors];
  return errors.length > 0 ? { data: completed.data, errors } : { data: completed.data };
}

/** An error of the response as a GraphQLError, for Apollo Server and graphql-ws, which take those. */
export function asGraphQLError(error: LocatedError): GraphQLError {
  return new GraphQLError(error.message, { path: error.path, extensions: error.extensions });
}

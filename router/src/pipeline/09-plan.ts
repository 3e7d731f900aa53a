import { GraphQLError } from 'graphql';
import { badRequest } from './01-input-limits';
import type { OperationRequest, Stage } from './operation-request';

/**
 * Stage 9: subscriptions are planned here (plans cached per document), so a subscription the
 * planner cannot run is refused before anything is opened upstream. Queries and mutations are
 * planned by @apollo/gateway as it executes them (its plan cache), until our own executor does it.
 */
export function plan(): Stage {
  return {
    name: 'plan',
    run(request: OperationRequest) {
      if (request.operationType !== 'subscription') return;
      try {
        request.subscriptionPlan = request.schemaState!.planner.plan(request.document!, request.operationName, request.query!);
      } catch (error) {
        if (error instanceof GraphQLError || error instanceof Error) throw badRequest(`The subscription cannot be planned: ${error.message}`);
        throw error;
      }
    },
  };
}

import { GraphQLError } from 'graphql';
import type { OperationRequest, Stage } from './operation-request';

/**
 * Stage 8: @authenticated and @requiresScopes. Queries and mutations lose the fields the caller
 * may not read (null with an error at each path, applied when they execute, so no subgraph is
 * asked for them). A subscription that reads any such field is refused whole, at subscribe time:
 * the identity of a subscription does not change, so neither does the answer for its events.
 */
export function authorization(): Stage {
  return {
    name: 'authorization',
    run(request: OperationRequest) {
      if (!request.analysis!.touchesProtected) return;
      const authorized = request.schemaState!.authorizer.authorize(request.document!, request.operation!, request.identity!);
      if (!authorized) return;
      if (request.operationType === 'subscription') {
        const first = authorized.errors[0]!;
        throw new GraphQLError(first.message, { path: first.path, extensions: first.extensions });
      }
      request.authorized = authorized;
    },
  };
}

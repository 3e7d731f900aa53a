import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@supergraph/subgraph';
import type { UsersContext } from '../context';
import { ApiKeyResolver } from './api-key';
import { AuthResolver } from './auth';
import { resolveUserReference, UserResolver } from './user';

// Every Query field is nullable, lists as [X!]: a non-null root field that fails nulls the whole `data` of an
// operation that also asks other subgraphs, so an outage of this one must null only its own root fields (each with
// SUBGRAPH_UNAVAILABLE). Mutation and Subscription fields stay non-null: a mutation's result is its answer.

/** The users subgraph schema; needs no database, so composition can print it anywhere. */
export function buildUsersSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema<UsersContext>({
    resolvers: [UserResolver, AuthResolver, ApiKeyResolver],
    // @authenticated and @requiresScopes are enforced by the router before any subgraph is called.
    federationDirectives: ['@key', '@inaccessible', '@authenticated', '@requiresScopes'],
    referenceResolvers: { User: resolveUserReference },
  });
}

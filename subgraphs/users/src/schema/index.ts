import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@supergraph/subgraph';
import type { UsersContext } from '../context';
import { ApiKeyResolver } from './api-key';
import { AuthResolver } from './auth';
import { resolveUserReference, UserResolver } from './user';

/** The users subgraph schema; needs no database, so composition can print it anywhere. */
export function buildUsersSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema<UsersContext>({
    resolvers: [UserResolver, AuthResolver, ApiKeyResolver],
    // @authenticated and @requiresScopes are enforced by the router before any subgraph is called.
    federationDirectives: ['@key', '@inaccessible', '@authenticated', '@requiresScopes'],
    referenceResolvers: { User: resolveUserReference },
  });
}

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
    federationDirectives: ['@key', '@inaccessible'],
    referenceResolvers: { User: resolveUserReference },
  });
}

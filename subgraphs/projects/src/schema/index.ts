import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@supergraph/subgraph';
import type { ProjectsContext } from '../context';
import { AiJobResolver } from './ai-job';
import { IndexFeedResolver } from './index-feed';
import { ProjectResolver, resolveProjectReference } from './project';
import { resolveTaskReference, TaskResolver } from './task';
import { resolveUserReference, User, UserProjectsResolver } from './user';

// Every Query field is nullable, lists as [X!]: a non-null root field that fails nulls the whole `data` of an
// operation that also asks other subgraphs, so an outage of this one must null only its own root fields (each with
// SUBGRAPH_UNAVAILABLE). Mutation and Subscription fields stay non-null: a mutation's result is its answer.

/** The projects subgraph schema; needs no database, so composition can print it anywhere. */
export function buildProjectsSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema<ProjectsContext>({
    resolvers: [ProjectResolver, TaskResolver, AiJobResolver, UserProjectsResolver, IndexFeedResolver],
    orphanedTypes: [User],
    federationDirectives: ['@key', '@inaccessible'],
    referenceResolvers: { Project: resolveProjectReference, Task: resolveTaskReference, User: resolveUserReference },
  });
}

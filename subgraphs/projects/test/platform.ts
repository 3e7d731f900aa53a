import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '@supergraph/server';
import { printFederatedSdl } from '@supergraph/subgraph';
import { HarnessStack, quietLogger } from '@supergraph/testing';
import { startUsersSubgraph, type UsersSubgraph } from '@supergraph/users/src/app';
import { buildUsersSchema } from '@supergraph/users/src/schema';
import { startRouter } from '../../../router/src/app';
import { composeSubgraphs } from '../../../scripts/composition';
import { startProjectsSubgraph, type ProjectsSubgraph } from '../src/app';
import { buildProjectsSchema } from '../src/schema';

/**
 * The real router in front of the real users and projects subgraphs, each on a fresh Postgres
 * database. The supergraph is composed here from the two subgraphs' code, so the test does not
 * depend on which other subgraphs supergraph.graphql lists at the moment.
 */
export interface ProjectsPlatform {
  graphqlUrl: string;
  router: RunningServer;
  users: UsersSubgraph;
  projects: ProjectsSubgraph;
  stop(): Promise<void>;
}

export async function startProjectsPlatform(env: Record<string, string> = {}): Promise<ProjectsPlatform> {
  const stack = new HarnessStack();
  return stack.starting(async () => {
    const usersDb = await stack.database('platform_users');
    const projectsDb = await stack.database('platform_projects');
    const users = await stack.add(startUsersSubgraph(stack.config('users', { USERS_DATABASE_URL: usersDb.url, ...env }), quietLogger('users')));
    const projectsConfig = stack.config('projects', { PROJECTS_DATABASE_URL: projectsDb.url, PROJECTS_PORT: '0', PROJECTS_TASK_BACKOFF_MS: '20', ...env });
    const projects = await stack.add(startProjectsSubgraph(projectsConfig, quietLogger('projects')));
    const composed = composeSubgraphs([
      { name: 'users', routingUrl: `${users.url}/graphql`, schemaPath: '', sdl: printFederatedSdl(await buildUsersSchema()) },
      { name: 'projects', routingUrl: `${projects.url}/graphql`, schemaPath: '', sdl: printFederatedSdl(await buildProjectsSchema()) },
    ]);
    if (!composed.ok) throw new Error(composed.errors.join('\n'));
    const supergraphPath = join(projectsConfig.dataDir, 'supergraph.graphql');
    writeFileSync(supergraphPath, composed.supergraphSdl);
    const config = stack.config('router', {
      ...env,
      SUPERGRAPH_PATH: supergraphPath,
      SUBGRAPH_USERS_URL: `${users.url}/graphql`,
      SUBGRAPH_PROJECTS_URL: `${projects.url}/graphql`,
    });
    const router = await stack.add(startRouter(config, quietLogger('router')));
    return { graphqlUrl: `${router.url}/graphql`, router, users, projects, stop: () => stack.stop() };
  });
}

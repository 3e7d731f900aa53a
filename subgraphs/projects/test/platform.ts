import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '@supergraph/server';
import { printFederatedSdl } from '@supergraph/subgraph';
import { createTestDatabase, quietLogger, testConfig } from '@supergraph/testing';
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
  const [usersDb, projectsDb] = await Promise.all([createTestDatabase('platform_users'), createTestDatabase('platform_projects')]);
  const usersConfig = testConfig('users', { USERS_DATABASE_URL: usersDb.url, ...env });
  const base = testConfig('projects', { PROJECTS_DATABASE_URL: projectsDb.url, PROJECTS_PORT: '0', PROJECTS_TASK_BACKOFF_MS: '20', ...env });
  const users = await startUsersSubgraph(usersConfig.config, quietLogger('users'));
  const projects = await startProjectsSubgraph(base.config, quietLogger('projects'));
  const composed = composeSubgraphs([
    { name: 'users', routingUrl: `${users.url}/graphql`, schemaPath: '', sdl: printFederatedSdl(await buildUsersSchema()) },
    { name: 'projects', routingUrl: `${projects.url}/graphql`, schemaPath: '', sdl: printFederatedSdl(await buildProjectsSchema()) },
  ]);
  if (!composed.ok) throw new Error(composed.errors.join('\n'));
  const supergraphPath = join(base.config.dataDir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composed.supergraphSdl);
  const { config, cleanup } = testConfig('router', {
    ...env,
    SUPERGRAPH_PATH: supergraphPath,
    SUBGRAPH_USERS_URL: `${users.url}/graphql`,
    SUBGRAPH_PROJECTS_URL: `${projects.url}/graphql`,
  });
  const router = await startRouter(config, quietLogger('router'));
  return {
    graphqlUrl: `${router.url}/graphql`,
    router,
    users,
    projects,
    stop: async () => {
      await router.stop();
      await projects.stop();
      await users.stop();
      await Promise.all([usersDb.drop(), projectsDb.drop()]);
      base.cleanup();
      usersConfig.cleanup();
      cleanup();
    },
  };
}

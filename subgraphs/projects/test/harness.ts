import { randomUUID } from 'node:crypto';
import type { ProjectsServiceConfig } from '@supergraph/config';
import type { Identity, Tier } from '@supergraph/identity';
import { asRouter, countSqlStatements, HarnessStack, graphql, quietLogger, type GraphQLResponse, type UntypedData } from '@supergraph/testing';
import { startProjectsSubgraph, type ProjectsSubgraph } from '../src/app';
import { openProjectsDatabase, type ProjectsDatabase } from '../src/data/database';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';

/** A projects subgraph on a fresh Postgres database, called directly the way the router calls it. */
export interface ProjectsHarness {
  config: ProjectsServiceConfig;
  url: string;
  databaseUrl: string;
  subgraph: ProjectsSubgraph;
  /** A second connection to the same database, for asserting what was (not) written. */
  db: ProjectsDatabase;
  call<T = UntypedData>(query: string, variables?: Record<string, unknown>, identity?: Identity): Promise<GraphQLResponse<T>>;
  /** Runs `work` and counts the SQL statements the subgraph sent meanwhile. */
  countSqlStatements<T>(work: () => Promise<T>): Promise<{ result: T; count: number }>;
  stop(): Promise<void>;
}

/**
 * Options are environment variables, as users set them. `redis: true` puts the task queue on
 * BullMQ with a key prefix of its own (and no in-process worker unless asked for).
 */
export async function startProjectsHarness(env: Record<string, string> = {}, options: { redis?: boolean } = {}): Promise<ProjectsHarness> {
  const stack = new HarnessStack();
  return stack.starting(async () => {
    const database = await stack.database('projects');
    const redisEnv: Record<string, string> = options.redis ? { REDIS_URL, PROJECTS_QUEUE_PREFIX: `test-${randomUUID().slice(0, 8)}` } : {};
    const config = stack.config('projects', { PROJECTS_DATABASE_URL: database.url, PROJECTS_PORT: '0', PROJECTS_TASK_BACKOFF_MS: '20', ...redisEnv, ...env });
    const server = await stack.add(startProjectsSubgraph(config, quietLogger('projects')));
    const connection = await openProjectsDatabase({ url: database.url, dataDir: config.dataDir, logger: quietLogger('projects') });
    stack.defer(() => connection.close());
    const url = `${server.url}/graphql`;
    return {
      config,
      url,
      databaseUrl: database.url,
      subgraph: server,
      db: connection,
      call: (query, variables = {}, identity = { kind: 'anonymous' }) => graphql(url, query, variables, asRouter(identity, config.routerSigningSecret)),
      countSqlStatements: (work) => countSqlStatements(server.database, work),
      stop: () => stack.stop(),
    };
  });
}

export function userIdentity(userId: string = randomUUID(), tier: Tier = 'FREE', roles: ('USER' | 'ADMIN')[] = ['USER']): Identity & { kind: 'user' } {
  return { kind: 'user', userId, roles, tier, scopes: ['*'], via: 'jwt' };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const CREATE = `mutation ($name: String!, $description: String, $visibility: Visibility) {
  createProject(name: $name, description: $description, visibility: $visibility) { id name description visibility sandboxStatus version owner { id } }
}`;

/** Creates a project as `identity` and returns its id. */
export async function createProject(harness: ProjectsHarness, identity: Identity, name = 'Demo', visibility = 'PRIVATE'): Promise<string> {
  const response = await harness.call<{ createProject: { id: string } }>(CREATE, { name, visibility }, identity);
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!.createProject.id;
}

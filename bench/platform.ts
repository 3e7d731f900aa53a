/**
 * The whole platform for a benchmark, assembled the way the end-to-end tests assemble it: the four
 * TypeScript subgraphs and the router in this process, each subgraph on a scratch database of its
 * own on the real PostgreSQL (TEST_DATABASE_URL, dropped at the end), events on the real Redis
 * (REDIS_URL), a real EVM (the embedded chain's node) for blockchain, and the Python AI subgraph
 * as a child process. Keeping the TypeScript subgraphs in this process lets a benchmark read each
 * one's own counters (`database.sqlStatements()`, the blockchain RPC histogram) exactly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigOf, ProjectsServiceConfig, ServiceName } from '@supergraph/config';
import type { RunningServer } from '@supergraph/server';
import { createTestDatabase, freePort, quietLogger, subgraphUrl, testConfig, type TestDatabase } from '@supergraph/testing';
import { startUsersSubgraph, type UsersSubgraph } from '@supergraph/users/src/app';
import { startProjectsSubgraph, type ProjectsSubgraph } from '@supergraph/projects/src/app';
import { startPaymentsSubgraph, type PaymentsSubgraph } from '@supergraph/payments/src/app';
import { startBlockchainSubgraph, type BlockchainSubgraph } from '@supergraph/blockchain/src/app';
import { startTestChain } from '@supergraph/blockchain/test/chain';
import { startAiSubgraph } from '../e2e/test/python-subgraph';
import { TestStack } from '../e2e/test/stack';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';

export interface Platform {
  /** The router's GraphQL endpoint. */
  graphqlUrl: string;
  /** The projects subgraph's configuration (its limits, and the signing secret every process shares). */
  config: ProjectsServiceConfig;
  users: UsersSubgraph;
  projects: ProjectsSubgraph;
  payments: PaymentsSubgraph;
  blockchain: BlockchainSubgraph;
  /** The AI subgraph's base URL (`/graphql`, `/metrics`). */
  aiUrl: string;
  router: RunningServer;
  stop(): Promise<void>;
}

/** `env` goes into every process's configuration, over the defaults here (limits, page sizes, poll intervals…). */
export async function startPlatform(env: Record<string, string> = {}): Promise<Platform> {
  const stack = new TestStack();
  const database = async (label: string): Promise<TestDatabase> => {
    const created = await createTestDatabase(`bench_${label}`);
    stack.defer(() => created.drop());
    return created;
  };
  const configure = <S extends ServiceName>(service: S, more: Record<string, string>): ConfigOf<S> => {
    const { config, cleanup } = testConfig(service, { REDIS_URL, ...more, ...env });
    stack.defer(cleanup);
    return config;
  };
  try {
    const chain = await stack.add(startTestChain());
    const users = await stack.add(startUsersSubgraph(configure('users', { USERS_DATABASE_URL: (await database('users')).url }), quietLogger('users')));
    // Projects calls the AI subgraph (AI jobs) and the AI subgraph follows projects' feed: the AI port is chosen first.
    const aiPort = await freePort();
    const config = configure('projects', { PROJECTS_DATABASE_URL: (await database('projects')).url, AI_URL: subgraphUrl(aiPort) });
    const projects = await stack.add(startProjectsSubgraph(config, quietLogger('projects')));
    const payments = await stack.add(
      startPaymentsSubgraph(
        configure('payments', { PAYMENTS_DATABASE_URL: (await database('payments')).url, USERS_URL: `${users.url}/graphql` }),
        quietLogger('payments'),
      ),
    );
    const blockchain = await stack.add(
      startBlockchainSubgraph(
        configure('blockchain', { ...chain.env, BLOCKCHAIN_DATABASE_URL: (await database('blockchain')).url }),
        quietLogger('blockchain'),
      ),
    );
    // The AI subgraph indexes this platform's projects (its defaults: the feed on :4002, the index in
    // the repository's .data/ai, where another run's projects would answer searches with ids no one has).
    const aiData = mkdtempSync(join(tmpdir(), 'bench-ai-'));
    stack.defer(() => rmSync(aiData, { recursive: true, force: true }));
    const ai = await stack.add(startAiSubgraph(config.routerSigningSecret, { AI_PROJECTS_URL: `${projects.url}/graphql`, AI_DATA_DIR: aiData }, aiPort));

    const routerEnv = { REDIS_URL, ...env };
    const { router, url } = await stack.router(
      {
        users: `${users.url}/graphql`,
        projects: `${projects.url}/graphql`,
        payments: `${payments.url}/graphql`,
        blockchain: `${blockchain.url}/graphql`,
        ai: ai.url,
      },
      routerEnv,
    );
    return { graphqlUrl: url, config, users, projects, payments, blockchain, aiUrl: ai.url.replace(/\/graphql$/, ''), router, stop: () => stack.stop() };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

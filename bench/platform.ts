/**
 * The whole platform for a benchmark, assembled the way the end-to-end tests assemble it: the four
 * TypeScript subgraphs and the router in this process, each subgraph on a scratch database of its
 * own on the real PostgreSQL (TEST_DATABASE_URL, dropped at the end), events on the real Redis
 * (REDIS_URL), a real EVM (the embedded chain's node) for blockchain, and the Python AI subgraph
 * as a child process. Keeping the TypeScript subgraphs in this process lets a benchmark read each
 * one's own counters (`database.sqlStatements()`, the blockchain RPC histogram) exactly.
 */
import type { PlatformConfig } from '@supergraph/config';
import type { RunningServer } from '@supergraph/server';
import { createTestDatabase, quietLogger, testConfig, type TestDatabase } from '@supergraph/testing';
import { startUsersSubgraph, type UsersSubgraph } from '@supergraph/users/src/app';
import { startProjectsSubgraph, type ProjectsSubgraph } from '@supergraph/projects/src/app';
import { startPaymentsSubgraph, type PaymentsSubgraph } from '@supergraph/payments/src/app';
import { startBlockchainSubgraph, type BlockchainSubgraph } from '@supergraph/blockchain/src/app';
import { startTestChain } from '@supergraph/blockchain/test/chain';
import { startRouter } from '@supergraph/router/src/app';
import { startAiSubgraph } from '../e2e/test/python-subgraph';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';

export interface Platform {
  /** The router's GraphQL endpoint. */
  graphqlUrl: string;
  config: PlatformConfig;
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
  const cleanups: (() => Promise<unknown> | void)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  const database = async (label: string): Promise<TestDatabase> => {
    const created = await createTestDatabase(`bench_${label}`);
    cleanups.push(() => created.drop());
    return created;
  };
  const configure = (more: Record<string, string>): PlatformConfig => {
    const { config, cleanup } = testConfig({ REDIS_URL, ...more, ...env });
    cleanups.push(cleanup);
    return config;
  };
  try {
    const chain = await startTestChain();
    cleanups.push(() => chain.stop());

    const users = await startUsersSubgraph(configure({ USERS_DATABASE_URL: (await database('users')).url }), quietLogger('users'));
    cleanups.push(() => users.stop());
    const projects = await startProjectsSubgraph(configure({ PROJECTS_DATABASE_URL: (await database('projects')).url }), quietLogger('projects'));
    cleanups.push(() => projects.stop());
    const payments = await startPaymentsSubgraph(
      configure({ PAYMENTS_DATABASE_URL: (await database('payments')).url, USERS_URL: `${users.url}/graphql` }),
      quietLogger('payments'),
    );
    cleanups.push(() => payments.stop());
    const blockchain = await startBlockchainSubgraph(configure({ ...chain.env, BLOCKCHAIN_DATABASE_URL: (await database('blockchain')).url }), quietLogger('blockchain'));
    cleanups.push(() => blockchain.stop());

    const config = configure({});
    const ai = await startAiSubgraph(config.routerSigningSecret);
    cleanups.push(() => ai.stop());

    const routerConfig = configure({
      SUBGRAPH_USERS_URL: `${users.url}/graphql`,
      SUBGRAPH_PROJECTS_URL: `${projects.url}/graphql`,
      SUBGRAPH_PAYMENTS_URL: `${payments.url}/graphql`,
      SUBGRAPH_BLOCKCHAIN_URL: `${blockchain.url}/graphql`,
      SUBGRAPH_AI_URL: ai.url,
    });
    const router = await startRouter(routerConfig, quietLogger('router'));
    cleanups.push(() => router.stop());

    return { graphqlUrl: `${router.url}/graphql`, config: routerConfig, users, projects, payments, blockchain, aiUrl: ai.url.replace(/\/graphql$/, ''), router, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

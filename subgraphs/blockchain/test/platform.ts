import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printFederatedSdl } from '@supergraph/subgraph';
import { createTestDatabase, quietLogger, testConfig } from '@supergraph/testing';
import { startUsersSubgraph } from '@supergraph/users/src/app';
import { buildUsersSchema } from '@supergraph/users/src/schema';
import { startRouter } from '../../../router/src/app';
import { composeSubgraphs } from '../../../scripts/composition';
import { buildBlockchainSchema } from '../src/schema';
import type { BlockchainHarness } from './harness';

export interface TestPlatform {
  graphqlUrl: string;
  stop(): Promise<void>;
}

/**
 * The real router over the users subgraph and a blockchain harness. The supergraph is composed
 * here from those two only, so tests do not depend on subgraphs they do not start.
 */
export async function startPlatform(blockchain: BlockchainHarness, usersEnv: Record<string, string> = {}): Promise<TestPlatform> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const usersDb = await createTestDatabase('platform_users');
    cleanups.push(() => usersDb.drop());
    const usersConfig = testConfig('users', { USERS_DATABASE_URL: usersDb.url, ...usersEnv });
    cleanups.push(usersConfig.cleanup);
    const users = await startUsersSubgraph(usersConfig.config, quietLogger('users'));
    cleanups.push(() => users.stop());
    const composed = composeSubgraphs([
      { name: 'users', routingUrl: `${users.url}/graphql`, schemaPath: '', sdl: printFederatedSdl(await buildUsersSchema()) },
      { name: 'blockchain', routingUrl: blockchain.url, schemaPath: '', sdl: printFederatedSdl(await buildBlockchainSchema()) },
    ]);
    if (!composed.ok) throw new Error(composed.errors.join('\n'));
    const routerConfig = testConfig('router', { RATE_LIMIT_PER_MINUTE: '0' });
    cleanups.push(routerConfig.cleanup);
    const supergraphPath = join(routerConfig.config.dataDir, 'supergraph.graphql');
    writeFileSync(supergraphPath, composed.supergraphSdl);
    const router = await startRouter({ ...routerConfig.config, router: { ...routerConfig.config.router, supergraphPath } }, quietLogger('router'));
    cleanups.push(() => router.stop());
    return { graphqlUrl: `${router.url}/graphql`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

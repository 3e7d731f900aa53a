import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blockchainDeployment } from '@supergraph/config';
import { asRouter, createTestDatabase, graphql, quietLogger, testConfig } from '@supergraph/testing';
import { startBlockchainSubgraph } from '../src/app';
import type { Deployment } from '../src/chain/deployment';

/**
 * The embedded default (no RPC_URL), as `npm start` runs it: the subgraph starts its own EVM node,
 * compiles and deploys the contracts, and writes their addresses where other subgraphs read them.
 * A second start on the same DATA_DIR finds the persisted chain and reuses the deployment.
 */
it('starts a local chain, deploys $FORGE and the treasury, and reuses them after a restart', async () => {
  const database = await createTestDatabase('blockchain_embedded');
  const { config, cleanup } = testConfig('blockchain', {
    BLOCKCHAIN_DATABASE_URL: database.url,
    BLOCKCHAIN_PORT: '0',
    LOCAL_CHAIN_PORT: '0',
    LOCAL_CHAIN_BLOCK_TIME: '0',
    BLOCKCHAIN_POLL_INTERVAL_MS: '200',
  });
  try {
    const first = await startBlockchainSubgraph(config, quietLogger('blockchain'));
    let deployment: Deployment;
    try {
      expect(first.localChain).toBeDefined();
      deployment = JSON.parse(readFileSync(config.blockchain.deploymentPath, 'utf8')) as Deployment;
      expect(config.blockchain.deploymentPath).toBe(join(config.dataDir, 'chain', 'deployment.json'));
      expect(deployment).toMatchObject({ chainId: 31337, forgeToken: first.deployment.forgeToken, treasury: first.deployment.treasury });
      expect(blockchainDeployment(config)).toMatchObject({ forgeToken: deployment.forgeToken, treasury: deployment.treasury });
      expect(existsSync(join(config.dataDir, 'chain', 'signer.key'))).toBe(true);
      const response = await graphql(
        `${first.url}/graphql`,
        '{ forgeToken { symbol totalSupply } treasury { wallet { forgeBalance } } }',
        {},
        asRouter({ kind: 'anonymous' }, config.routerSigningSecret),
      );
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({
        forgeToken: { symbol: 'FORGE', totalSupply: '1000000000000000000000000000' },
        treasury: { wallet: { forgeBalance: '1000000000000000000000000000' } },
      });
    } finally {
      await first.stop();
    }
    const second = await startBlockchainSubgraph(config, quietLogger('blockchain'));
    try {
      expect(second.deployment).toEqual(deployment);
      await second.follower.sync();
      // The mint at deployment was followed once, before and after the restart.
      expect(await second.database.prisma.tokenTransfer.count()).toBe(1);
    } finally {
      await second.stop();
    }
  } finally {
    await database.drop();
    cleanup();
  }
}, 90_000);

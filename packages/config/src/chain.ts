import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { int, type Env } from './parsers';

/* Chain settings the blockchain and payments subgraphs both read, parsed in one place. */

/** BLOCKCHAIN_DEPLOYMENT_PATH. Default `DATA_DIR/chain/deployment.json`. */
export function deploymentPath(env: Env, dataDir: string): string {
  return resolve(env.BLOCKCHAIN_DEPLOYMENT_PATH ?? join(dataDir, 'chain', 'deployment.json'));
}

/** BLOCKCHAIN_CONFIRMATIONS, at least 1. Default 3. */
export function confirmations(env: Env): number {
  return Math.max(1, int(env, 'BLOCKCHAIN_CONFIRMATIONS', 3));
}

/** Where $FORGE and the treasury live: FORGE_TOKEN_ADDRESS / TREASURY_ADDRESS, each else from the deployment file. */
export function blockchainDeployment(config: {
  blockchain: { forgeTokenAddress?: string | undefined; treasuryAddress: string | undefined; deploymentPath: string };
}): { forgeToken: string | undefined; treasury: string | undefined } {
  const { forgeTokenAddress, treasuryAddress, deploymentPath: path } = config.blockchain;
  let file: { forgeToken?: string; treasury?: string } = {};
  if (!forgeTokenAddress || !treasuryAddress) {
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as typeof file;
    } catch {
      // Not deployed yet: the embedded chain writes the file when it starts.
    }
  }
  return { forgeToken: forgeTokenAddress ?? file.forgeToken, treasury: treasuryAddress ?? file.treasury };
}

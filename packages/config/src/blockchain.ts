import { resolve } from 'node:path';
import { confirmations, deploymentPath } from './chain';
import { deploymentSetting, int, optionalInt, text, type Env } from './parsers';
import { loadEventsConfig, loadServiceConfig, type EventsConfig, type ServiceConfig } from './service';

/** Everything the blockchain subgraph reads (issue 4; documented in subgraphs/blockchain/README.md). */
export interface BlockchainServiceConfig extends ServiceConfig, EventsConfig {
  blockchain: BlockchainConfig;
}

/**
 * Without RPC_URL the subgraph starts an embedded local EVM, deploys the contracts and writes their
 * addresses to `deploymentPath`. The signing key itself is read only by the signing module
 * (SIGNER_PRIVATE_KEY or SIGNER_KEY_FILE).
 */
export interface BlockchainConfig {
  /** BLOCKCHAIN_PORT. Default 4004. */
  port: number;
  /** BLOCKCHAIN_DATABASE_URL: PostgreSQL. Default: unset, an embedded PGlite under DATA_DIR. */
  databaseUrl: string | undefined;
  /** RPC_URL: Ethereum JSON-RPC over HTTP. Default: unset, the embedded local chain; required in production. */
  rpcUrl: string | undefined;
  /** RPC_WS_URL: JSON-RPC over WebSocket for new-block notifications. Default: unset, polling only (or the local chain's). */
  rpcWsUrl: string | undefined;
  /** The embedded chain: LOCAL_CHAIN_PORT (8545), LOCAL_CHAIN_ID (31337), LOCAL_CHAIN_BLOCK_TIME seconds (2). */
  localChain: { port: number; chainId: number; blockTimeSeconds: number };
  /** FORGE_TOKEN_ADDRESS: the $FORGE contract. Default: from the deployment file; required in production. */
  forgeTokenAddress: string | undefined;
  /** TREASURY_ADDRESS: the treasury contract. Default: from the deployment file; required in production. */
  treasuryAddress: string | undefined;
  /** BLOCKCHAIN_DEPLOYMENT_PATH: written when the subgraph deploys; read when the addresses are not set. Default `DATA_DIR/chain/deployment.json`. */
  deploymentPath: string;
  /** SIGNER_KEY_FILE: file holding the signing key (0x hex). Default: generated under DATA_DIR for the embedded chain. */
  signerKeyFile: string | undefined;
  /** BLOCKCHAIN_CONFIRMATIONS: blocks on top of a transfer (itself included) before it counts as CONFIRMED. Default 3. */
  confirmations: number;
  /** BLOCKCHAIN_POLL_INTERVAL_MS. Default 2000. */
  pollIntervalMs: number;
  /** BLOCKCHAIN_START_BLOCK: first block the follower reads on a fresh database. Default: the deployment block, else the head. */
  startBlock: number | undefined;
  /** BLOCKCHAIN_CACHE_TTL_SECONDS: TTL of cached RPC reads that can change (balances, nonces, head); settled data is kept longer. Default 5. */
  cacheTtlSeconds: number;
  /** BLOCKCHAIN_ANALYSIS_MAX_TRANSACTIONS: transactions per block that MEV detection and wallet linking look at (the rest are skipped and counted). Default 300. */
  analysisMaxTransactions: number;
}

export function loadBlockchainConfig(env: Env = process.env): BlockchainServiceConfig {
  const service = loadServiceConfig(env);
  const { production } = service;
  return {
    ...service,
    ...loadEventsConfig(env),
    blockchain: {
      port: int(env, 'BLOCKCHAIN_PORT', 4004),
      databaseUrl: text(env, 'BLOCKCHAIN_DATABASE_URL'),
      // The embedded chain is a development chain: a deployment names the real one.
      rpcUrl: deploymentSetting(env, 'RPC_URL', production),
      rpcWsUrl: text(env, 'RPC_WS_URL'),
      localChain: {
        port: int(env, 'LOCAL_CHAIN_PORT', 8545),
        chainId: int(env, 'LOCAL_CHAIN_ID', 31337),
        blockTimeSeconds: int(env, 'LOCAL_CHAIN_BLOCK_TIME', 2),
      },
      forgeTokenAddress: deploymentSetting(env, 'FORGE_TOKEN_ADDRESS', production),
      treasuryAddress: deploymentSetting(env, 'TREASURY_ADDRESS', production),
      deploymentPath: deploymentPath(env, service.dataDir),
      signerKeyFile: env.SIGNER_KEY_FILE ? resolve(env.SIGNER_KEY_FILE) : undefined,
      confirmations: confirmations(env),
      pollIntervalMs: int(env, 'BLOCKCHAIN_POLL_INTERVAL_MS', 2_000),
      startBlock: optionalInt(env, 'BLOCKCHAIN_START_BLOCK'),
      cacheTtlSeconds: int(env, 'BLOCKCHAIN_CACHE_TTL_SECONDS', 5),
      analysisMaxTransactions: int(env, 'BLOCKCHAIN_ANALYSIS_MAX_TRANSACTIONS', 300),
    },
  };
}

import { join } from 'node:path';
import { getAddress } from 'viem';
import type { BlockchainServiceConfig } from '@supergraph/config';
import { createLogger, type Logger, type RunningServer } from '@supergraph/server';
import { startOutboxRelay } from '@supergraph/outbox';
import { createEventBus, type EventBus } from '@supergraph/pubsub';
import { serveSubgraph, serverOptions } from '@supergraph/subgraph';
import { BlockAnalyser } from './analysis/block-analyser';
import { compileContracts } from './chain/contracts';
import { ensureDeployment, readDeployment, type Deployment } from './chain/deployment';
import { startLocalChain, type LocalChain } from './chain/local-node';
import { connectChain, type ChainClients } from './chain/rpc';
import { TreasuryPayouts } from './chain/treasury';
import { createBlockchainContext } from './context';
import { createRpcCache } from './data/cache';
import { ChainReader } from './data/chain-reader';
import { openBlockchainDatabase, type BlockchainDatabase } from './data/database';
import { ChainFollower } from './events/follower';
import { BlockchainMetrics } from './metrics';
import { PayoutService, type PayoutFaults } from './payouts/payout-service';
import { buildBlockchainSchema } from './schema';
import { loadKeySigner, type TransactionSigner } from './signing/signer';

export interface BlockchainSubgraph extends RunningServer {
  database: BlockchainDatabase;
  events: EventBus;
  clients: ChainClients;
  deployment: Deployment;
  follower: ChainFollower;
  payouts: PayoutService;
  metrics: BlockchainMetrics;
  /** The embedded chain, when this process started one. */
  localChain: LocalChain | undefined;
}

export interface BlockchainOptions {
  /** Replaces the key signer (an HSM or external signing service). */
  signer?: TransactionSigner;
  /** Replaces the event bus made from REDIS_URL (tests listen on an in-process one). */
  events?: EventBus;
  /** Failure injection for unstake payouts (tests only). */
  payoutFaults?: PayoutFaults;
}

/**
 * Connects to the chain (or starts the embedded one and deploys the contracts), opens and migrates
 * the database, starts the chain follower and serves the subgraph. Used by main.ts and the tests.
 */
export async function startBlockchainSubgraph(
  config: BlockchainServiceConfig,
  logger: Logger = createLogger({ service: 'blockchain' }, config.logLevel),
  options: BlockchainOptions = {},
): Promise<BlockchainSubgraph> {
  const settings = config.blockchain;
  const embedded = !settings.rpcUrl;
  const chainDir = join(config.dataDir, 'chain');
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => logger.warn('cleanup failed', { error: String(error) }));
  };
  try {
    const signer =
      options.signer ??
      loadKeySigner({
        keyFile: settings.signerKeyFile ?? (embedded ? join(chainDir, 'signer.key') : undefined),
        generateIfMissing: embedded && !config.production,
      });
    let localChain: LocalChain | undefined;
    if (embedded) {
      localChain = await startLocalChain({
        port: settings.localChain.port,
        chainId: settings.localChain.chainId,
        blockTimeSeconds: settings.localChain.blockTimeSeconds,
        dbPath: join(chainDir, 'db'),
      });
      cleanups.push(() => localChain!.stop());
      logger.info('embedded chain started', { rpcUrl: localChain.httpUrl, chainId: localChain.chainId });
    }
    const metrics = new BlockchainMetrics();
    const clients = await connectChain({
      httpUrl: localChain?.httpUrl ?? settings.rpcUrl!,
      wsUrl: localChain?.wsUrl ?? settings.rpcWsUrl,
      signer,
      metrics,
    });
    cleanups.push(() => clients.close());

    const deployment = embedded
      ? await ensureDeployment({ clients, compiled: compileContracts(chainDir), path: settings.deploymentPath, fundFromNode: true, logger })
      : await knownDeployment(config, clients);

    const database = await openBlockchainDatabase({ url: settings.databaseUrl, dataDir: config.dataDir, logger });
    cleanups.push(() => database.close());
    metrics.observeDatabase(database);
    const events = metrics.countEvents(options.events ?? createEventBus(config));
    if (!options.events) cleanups.push(() => events.close());
    const cache = createRpcCache(config.redisUrl, `supergraph:blockchain:${clients.chain.id}:`);
    cleanups.push(() => cache.close());

    const reader = new ChainReader(clients, deployment, cache, metrics, settings.cacheTtlSeconds, settings.confirmations);
    const treasury = new TreasuryPayouts(clients, deployment, metrics, logger);
    const follower = new ChainFollower({
      prisma: database.prisma,
      clients,
      events,
      metrics,
      logger,
      token: deployment.forgeToken,
      confirmations: settings.confirmations,
      pollIntervalMs: settings.pollIntervalMs,
      startBlock: settings.startBlock ?? deployment.deployedAtBlock,
      analyser: new BlockAnalyser({ clients, events, metrics, maxTransactionsPerBlock: settings.analysisMaxTransactions }),
      onTransferChanged: (transfer) =>
        cache.invalidate([`wallet:${transfer.from}`, `wallet:${transfer.to}`, ...(transfer.status === 'REMOVED' ? [`tx:${transfer.txHash}`] : [])]),
    });
    follower.start();
    cleanups.push(() => follower.stop());

    // Unstake payouts: requested by payments (event, or its requestPayout calls), resumed at start.
    const relay = startOutboxRelay({ sql: database.sql, bus: events, logger, pollMs: settings.pollIntervalMs });
    metrics.observeOutbox(relay.lagSeconds);
    cleanups.push(() => relay.stop());
    const payouts = new PayoutService({
      prisma: database.prisma,
      clients,
      treasury,
      confirmations: settings.confirmations,
      pollIntervalMs: settings.pollIntervalMs,
      logger,
      metrics,
      onCommitted: () => void relay.flush().catch(() => undefined),
      ...(options.payoutFaults ? { faults: options.payoutFaults } : {}),
    });
    payouts.start();
    cleanups.push(() => payouts.stop());

    const running = await serveSubgraph({
      name: 'blockchain',
      schema: await buildBlockchainSchema(),
      ...serverOptions(config),
      port: settings.port,
      logger,
      metrics,
      createContext: (base) => createBlockchainContext(base, { prisma: database.prisma, config, events, reader, treasury, payouts, metrics }),
      onStop: close,
    });
    logger.info('blockchain subgraph ready', {
      chainId: clients.chain.id,
      forgeToken: deployment.forgeToken,
      treasury: deployment.treasury,
      operator: signer.address,
      signer: signer.source,
    });
    return Object.assign(running, { database, events, clients, deployment, follower, payouts, metrics, localChain });
  } catch (error) {
    await close();
    throw error;
  }
}

/** On an external chain the contracts are already deployed: their addresses come from the environment or the deployment file. */
async function knownDeployment(config: BlockchainServiceConfig, clients: ChainClients): Promise<Deployment> {
  const settings = config.blockchain;
  const file = readDeployment(settings.deploymentPath);
  const forgeToken = settings.forgeTokenAddress ?? file?.forgeToken;
  const treasury = settings.treasuryAddress ?? file?.treasury;
  if (!forgeToken || !treasury) {
    throw new Error(`RPC_URL is set, so the contracts must already exist: set FORGE_TOKEN_ADDRESS and TREASURY_ADDRESS, or write ${settings.deploymentPath}`);
  }
  const head = Number(await clients.public.getBlockNumber());
  return {
    chainId: clients.chain.id,
    forgeToken: getAddress(forgeToken),
    treasury: getAddress(treasury),
    operator: clients.wallet.account.address,
    deployedAtBlock: file && file.forgeToken.toLowerCase() === forgeToken.toLowerCase() ? file.deployedAtBlock : head,
    sourceHash: file?.sourceHash ?? 'unknown',
  };
}

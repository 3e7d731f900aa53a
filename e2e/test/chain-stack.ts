import type { BlockchainServiceConfig } from '@supergraph/config';
import { HarnessStack, quietLogger } from '@supergraph/testing';
import { startBlockchainSubgraph, type BlockchainSubgraph } from '@supergraph/blockchain/src/app';
import { startTestChain, type TestChain } from '@supergraph/blockchain/test/chain';

/**
 * A real local EVM with $FORGE and the treasury deployed, and the blockchain subgraph following it
 * on a fresh database of its own: what the end-to-end token tests stand on.
 */
export interface ChainStack {
  chain: TestChain;
  /** The blockchain subgraph's configuration (its signing secret signs calls to it). */
  config: BlockchainServiceConfig;
  /** The running blockchain subgraph: another object after `restartBlockchain`. */
  readonly blockchain: BlockchainSubgraph;
  /** Stops the blockchain subgraph; the chain goes on. */
  stopBlockchain(): Promise<void>;
  /** Starts the blockchain subgraph again on the same port and database (stopping it first if it runs). */
  restartBlockchain(): Promise<void>;
  stop(): Promise<void>;
}

/** `env` adds to the blockchain subgraph's environment (e.g. REDIS_URL to put it on the shared event bus). */
export async function startChainStack(databaseName: string, env: Record<string, string> = {}): Promise<ChainStack> {
  const stack = new HarnessStack();
  return stack.starting(async () => {
    const chain = await stack.add(startTestChain());
    const database = await stack.database(databaseName);
    const config = stack.config('blockchain', { ...chain.env, BLOCKCHAIN_DATABASE_URL: database.url, ...env });
    let blockchain: BlockchainSubgraph | undefined;
    let running = false;
    const stopBlockchain = async () => {
      if (running) await blockchain?.stop();
      running = false;
    };
    stack.defer(stopBlockchain);
    blockchain = await startBlockchainSubgraph(config, quietLogger('blockchain'));
    running = true;
    const port = Number(new URL(blockchain.url).port);
    return {
      chain,
      config,
      get blockchain() {
        return blockchain!;
      },
      stopBlockchain,
      restartBlockchain: async () => {
        await stopBlockchain();
        blockchain = await startBlockchainSubgraph({ ...config, blockchain: { ...config.blockchain, port } }, quietLogger('blockchain'));
        running = true;
      },
      stop: () => stack.stop(),
    };
  });
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAddress, type Address, type Hash, type Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { compileContracts } from '../src/chain/contracts';
import { ensureDeployment, type Deployment } from '../src/chain/deployment';
import { startLocalChain, type LocalChain } from '../src/chain/local-node';
import { connectChain, type ChainClients } from '../src/chain/rpc';
import { BlockchainMetrics } from '../src/metrics';
import { loadKeySigner } from '../src/signing/signer';
import { HarnessStack, quietLogger } from '@supergraph/testing';

/** Compiled artefacts shared by every test file (the sources' hash names them). */
export const CONTRACTS_CACHE = join(tmpdir(), 'supergraph-contracts-cache');

/**
 * A real local EVM (the embedded chain's node, instant mining) with $FORGE and the treasury
 * deployed by a fresh operator key, kept in a key file the subgraph under test is pointed at.
 */
export interface TestChain {
  chain: LocalChain;
  clients: ChainClients;
  deployment: Deployment;
  deploymentPath: string;
  signerKeyFile: string;
  /** The key itself: tests assert it never shows up anywhere. */
  privateKey: Hex;
  /** Environment for a subgraph on this chain. */
  env: Record<string, string>;
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  mine(blocks?: number): Promise<void>;
  /** The node's unlocked development account (holds ETH, no $FORGE). */
  devAccount(): Promise<Address>;
  stop(): Promise<void>;
}

export async function startTestChain(): Promise<TestChain> {
  const stack = new HarnessStack();
  return stack.starting(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supergraph-chain-'));
    stack.defer(() => rmSync(dir, { recursive: true, force: true }));
    const privateKey = generatePrivateKey();
    const signerKeyFile = join(dir, 'signer.key');
    writeFileSync(signerKeyFile, privateKey, { mode: 0o600 });
    const chain = await stack.add(startLocalChain({ port: 0, chainId: 31337, blockTimeSeconds: 0 }));
    const clients = await connectChain({
      httpUrl: chain.httpUrl,
      wsUrl: undefined,
      signer: loadKeySigner({ keyFile: signerKeyFile, env: {} }),
      metrics: new BlockchainMetrics(),
    });
    stack.defer(() => clients.close());
    const deploymentPath = join(dir, 'deployment.json');
    const deployment = await ensureDeployment({
      clients,
      compiled: compileContracts(CONTRACTS_CACHE),
      path: deploymentPath,
      fundFromNode: true,
      logger: quietLogger('chain'),
    });
    const rpc = <T>(method: string, params: unknown[] = []) => clients.public.request({ method: method as never, params: params as never }) as Promise<T>;
    return {
      chain,
      clients,
      deployment,
      deploymentPath,
      signerKeyFile,
      privateKey,
      env: {
        RPC_URL: chain.httpUrl,
        RPC_WS_URL: chain.wsUrl,
        SIGNER_KEY_FILE: signerKeyFile,
        BLOCKCHAIN_DEPLOYMENT_PATH: deploymentPath,
        BLOCKCHAIN_CONFIRMATIONS: '2',
        BLOCKCHAIN_POLL_INTERVAL_MS: '200',
        BLOCKCHAIN_CACHE_TTL_SECONDS: '0',
      },
      rpc,
      mine: async (blocks = 1) => {
        for (let i = 0; i < blocks; i++) await rpc('evm_mine');
      },
      devAccount: async () => getAddress((await rpc<string[]>('eth_accounts'))[0]!),
      stop: () => stack.stop(),
    };
  });
}

/** Waits until `check` returns something other than undefined (polling), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export type { Hash };

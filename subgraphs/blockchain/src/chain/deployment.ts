import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { getAddress, parseEther, parseUnits, type Address, type Hex } from 'viem';
import type { Logger } from '@supergraph/server';
import type { CompiledContracts } from './contracts';
import type { ChainClients } from './rpc';

/** What DATA_DIR/chain/deployment.json holds: other subgraphs read the addresses from it. */
export interface Deployment {
  chainId: number;
  forgeToken: Address;
  treasury: Address;
  /** The treasury's operator: the signing module's address. */
  operator: Address;
  /** Block of the first deployment transaction: where the follower starts on a fresh database. */
  deployedAtBlock: number;
  sourceHash: string;
}

/** $FORGE minted to the treasury at deployment: one billion tokens of 18 decimals. */
export const FORGE_SUPPLY = parseUnits('1000000000', 18);

export function readDeployment(path: string): Deployment | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Deployment;
  } catch {
    return undefined;
  }
}

function writeDeployment(path: string, deployment: Deployment): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(deployment, null, 2) + '\n');
  renameSync(temporary, path);
}

/**
 * Makes sure $FORGE and the treasury exist on the chain: reuses the deployment file when its
 * contracts still have code there, otherwise deploys both (the treasury first, operated by the
 * signer; then the token, minting its supply to the treasury) and writes the file.
 * `fundFromNode`: the embedded chain pays the operator's gas from the node's own unlocked account.
 */
export async function ensureDeployment(options: {
  clients: ChainClients;
  compiled: CompiledContracts;
  path: string;
  fundFromNode: boolean;
  logger: Logger;
}): Promise<Deployment> {
  const { clients, compiled, logger } = options;
  const chainId = clients.chain.id;
  const existing = readDeployment(options.path);
  if (existing && existing.chainId === chainId && (await hasCode(clients, existing.forgeToken)) && (await hasCode(clients, existing.treasury))) {
    return existing;
  }
  const operator = clients.wallet.account.address;
  if (options.fundFromNode) await fundOperator(clients, operator);
  const startBlock = Number(await clients.public.getBlockNumber()) + 1;
  const treasury = await deploy(clients, compiled.contracts.Treasury, [operator]);
  const forgeToken = await deploy(clients, compiled.contracts.ForgeToken, [treasury, FORGE_SUPPLY]);
  const deployment: Deployment = { chainId, forgeToken, treasury, operator, deployedAtBlock: startBlock, sourceHash: compiled.sourceHash };
  writeDeployment(options.path, deployment);
  logger.info('deployed contracts', { chainId, forgeToken, treasury, operator, path: options.path });
  return deployment;
}

async function hasCode(clients: ChainClients, address: Address): Promise<boolean> {
  const code = await clients.public.getCode({ address });
  return code !== undefined && code !== '0x';
}

async function deploy(clients: ChainClients, contract: CompiledContracts['contracts']['ForgeToken'], args: unknown[]): Promise<Address> {
  const hash = await clients.wallet.deployContract({ abi: contract.abi, bytecode: contract.bytecode, args });
  const receipt = await clients.public.waitForTransactionReceipt({ hash, pollingInterval: 200 });
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`Deployment transaction ${hash} failed`);
  return getAddress(receipt.contractAddress);
}

/** Local chains only: tops the operator up from the node's first unlocked development account. */
async function fundOperator(clients: ChainClients, operator: Address): Promise<void> {
  if ((await clients.public.getBalance({ address: operator })) >= parseEther('100')) return;
  const [funder] = (await clients.public.request({ method: 'eth_accounts' as never })) as unknown as Address[];
  if (!funder) throw new Error('The local chain has no unlocked account to fund the operator from');
  const hash = (await clients.public.request({
    method: 'eth_sendTransaction' as never,
    params: [{ from: funder, to: operator, value: `0x${parseEther('10000').toString(16)}` }] as never,
  })) as unknown as Hex;
  await clients.public.waitForTransactionReceipt({ hash, pollingInterval: 200 });
}

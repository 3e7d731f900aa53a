import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Abi, Address, Hex } from 'viem';
import { compileSolidity, type CompiledContract } from '../src/chain/contracts';
import { CONTRACTS_CACHE, type TestChain } from './chain';

export type FixtureName =
  | 'PlainToken'
  | 'MintableToken'
  | 'ERC1967Proxy'
  | 'Destructible'
  | 'SimpleNft'
  | 'ConstantProductPool'
  | 'V3StylePool'
  | 'CycleTrader'
  | 'UupsCounter'
  | 'Beacon'
  | 'BeaconProxy'
  | 'Delegator';

/** The test-only contracts of test/contracts/Fixtures.sol, compiled with solc-js (cached like the platform's). */
export function fixture(name: FixtureName): CompiledContract {
  const compiled = compileSolidity(CONTRACTS_CACHE, { 'Fixtures.sol': readFileSync(join(__dirname, 'contracts', 'Fixtures.sol'), 'utf8') });
  return compiled.contracts[`Fixtures.sol:${name}`]!;
}

/** Deploys a fixture from the operator's account and waits for it to be mined. */
export async function deployFixture(chain: TestChain, name: FixtureName, args: unknown[] = []): Promise<{ address: Address; abi: Abi }> {
  const { abi, bytecode } = fixture(name);
  const hash = await chain.clients.wallet.deployContract({ abi, bytecode: bytecode as Hex, args } as never);
  const receipt = await chain.clients.public.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress || receipt.status !== 'success') throw new Error(`deploying ${name} failed`);
  return { address: receipt.contractAddress, abi };
}

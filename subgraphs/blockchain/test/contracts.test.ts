import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toFunctionSignature, toEventSignature, type Abi } from 'viem';
import { forgeTokenAbi, treasuryAbi } from '../src/chain/abis';
import { compileContracts, readContractSources } from '../src/chain/contracts';
import { CONTRACTS_CACHE } from './chain';

const signatures = (abi: Abi) =>
  abi
    .map((item) => (item.type === 'function' ? toFunctionSignature(item) : item.type === 'event' ? `event ${toEventSignature(item)}` : undefined))
    .filter(Boolean)
    .sort();

describe('contracts/', () => {
  it('compiles with solc-js, and the typed ABIs the subgraph uses match what solc produced', () => {
    const compiled = compileContracts(CONTRACTS_CACHE);
    expect(compiled.compiler).toMatch(/^0\.8\./);
    expect(signatures(forgeTokenAbi)).toEqual(signatures(compiled.contracts.ForgeToken.abi));
    expect(signatures(treasuryAbi)).toEqual(signatures(compiled.contracts.Treasury.abi));
    expect(compiled.contracts.ForgeToken.bytecode).toMatch(/^0x[0-9a-f]{100,}$/);
  });

  it('caches artefacts by the hash of compiler, settings and sources', () => {
    const dir = mkdtempSync(join(tmpdir(), 'contracts-'));
    try {
      const first = compileContracts(dir);
      const started = Date.now();
      const again = compileContracts(dir);
      expect(again).toEqual(first);
      expect(Date.now() - started).toBeLessThan(1000); // read from the cache, not recompiled
      const sources = readContractSources();
      const edited = compileContracts(dir, { ...sources, 'ForgeToken.sol': sources['ForgeToken.sol']!.replace('"Forge"', '"Forge2"') });
      expect(edited.sourceHash).not.toBe(first.sourceHash);
      expect(readdirSync(dir).filter((name) => name.endsWith('.json'))).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports Solidity errors with the compiler message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'contracts-'));
    try {
      expect(() => compileContracts(dir, { 'ForgeToken.sol': 'contract Broken {', 'Treasury.sol': '' })).toThrow(
        /Solidity compilation failed:[\s\S]*ForgeToken.sol/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Abi, Hex } from 'viem';
import { REPO_ROOT } from '@supergraph/config';

export const CONTRACTS_DIR = join(REPO_ROOT, 'contracts');
/** The EVM version the contracts target: every node we support (Ganache 7 included) runs Shanghai. */
export const EVM_VERSION = 'shanghai';

export interface CompiledContract {
  abi: Abi;
  bytecode: Hex;
}

export interface CompiledContracts {
  /** sha256 over the compiler version, settings and every source: names the cached artefacts. */
  sourceHash: string;
  compiler: string;
  contracts: Record<'ForgeToken' | 'Treasury', CompiledContract>;
}

/** Every `contracts/*.sol`, by file name. */
export function readContractSources(dir = CONTRACTS_DIR): Record<string, string> {
  const sources: Record<string, string> = {};
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.sol'))
    .sort())
    sources[file] = readFileSync(join(dir, file), 'utf8');
  return sources;
}

function compilerInput(sources: Record<string, string>) {
  return {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([file, content]) => [file, { content }])),
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
}

/** Every contract of a set of sources, by `File.sol:Name`. */
export interface CompiledSources {
  sourceHash: string;
  compiler: string;
  contracts: Record<string, CompiledContract>;
}

/**
 * Compiles the Solidity sources with solc-js (the compiler ships inside the npm package: nothing is
 * downloaded). The result is cached in `cacheDir` under the hash of compiler, settings and sources,
 * so a restart with unchanged sources skips the ~2 s compile and a changed source is never stale.
 */
export function compileSolidity(cacheDir: string, sources: Record<string, string>): CompiledSources {
  // solc is loaded only when needed: its bundled compiler is large.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require('solc') as { compile(input: string): string; version(): string };
  const input = compilerInput(sources);
  const compiler = solc.version();
  const sourceHash = createHash('sha256').update(JSON.stringify({ compiler, input })).digest('hex');
  const cachePath = join(cacheDir, `solidity-${sourceHash.slice(0, 16)}.json`);
  try {
    const cached = JSON.parse(readFileSync(cachePath, 'utf8')) as CompiledSources;
    if (cached.sourceHash === sourceHash) return cached;
  } catch {
    // not cached yet
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((error) => error.severity === 'error');
  if (errors.length > 0) throw new Error(`Solidity compilation failed:\n${errors.map((error) => error.formattedMessage).join('\n')}`);
  const contracts: Record<string, CompiledContract> = {};
  for (const [file, byName] of Object.entries(output.contracts)) {
    for (const [name, contract] of Object.entries(byName)) contracts[`${file}:${name}`] = { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
  }
  const compiled: CompiledSources = { sourceHash, compiler, contracts };
  mkdirSync(cacheDir, { recursive: true });
  const temporary = `${cachePath}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(compiled));
  renameSync(temporary, cachePath); // atomic: a concurrent reader sees the whole file or none
  return compiled;
}

/** The platform's own contracts (`contracts/*.sol`), compiled and cached by compileSolidity. */
export function compileContracts(cacheDir: string, sources = readContractSources()): CompiledContracts {
  const { sourceHash, compiler, contracts } = compileSolidity(cacheDir, sources);
  const pick = (file: string, name: string): CompiledContract => {
    const contract = contracts[`${file}:${name}`];
    if (!contract) throw new Error(`contracts/${file} does not define ${name}`);
    return contract;
  };
  return { sourceHash, compiler, contracts: { ForgeToken: pick('ForgeToken.sol', 'ForgeToken'), Treasury: pick('Treasury.sol', 'Treasury') } };
}

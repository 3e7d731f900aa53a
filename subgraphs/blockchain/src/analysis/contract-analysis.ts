import { encodeFunctionData, type AbiFunction, getAddress, keccak256, parseAbiItem, type Address, type Hex, type PublicClient } from 'viem';
import { delegatecallTargets } from './evm-dataflow';
import { dispatcherSelectors, disassemble, hexToBytes, stripMetadata, type Instruction } from './evm-disassembler';
import { KNOWN_SIGNATURES, selectorOf } from './known-signatures';

export const RISK_LEVELS = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export const CAPABILITIES = ['SELFDESTRUCT', 'DELEGATECALL', 'MINT', 'PAUSE', 'BLACKLIST', 'UPGRADEABLE'] as const;
export const TOKEN_STANDARDS = ['ERC20', 'ERC721', 'ERC1155', 'ERC165'] as const;
export const PROXY_KINDS = ['EIP1967', 'TRANSPARENT', 'BEACON', 'UUPS', 'EIP1822', 'MINIMAL_PROXY'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export type Capability = (typeof CAPABILITIES)[number];
export type TokenStandard = (typeof TOKEN_STANDARDS)[number];
export type ProxyKind = (typeof PROXY_KINDS)[number];

export interface Finding<T> {
  kind: T;
  evidence: string[];
}

export interface RiskFinding extends Finding<Capability> {
  level: RiskLevel;
}

export interface ProxyReport extends Finding<ProxyKind> {
  implementation: Address | null;
  beacon: Address | null;
  admin: Address | null;
}

export interface ContractReport {
  address: Address;
  /** False for an address without code (an EOA, or a contract not deployed yet or destroyed). */
  isContract: boolean;
  codeSize: number;
  codeHash: Hex | null;
  functions: { selector: Hex; signature: string | null; offset: number }[];
  standards: Finding<TokenStandard>[];
  proxy: ProxyReport | null;
  /** The implementation behind a proxy, analysed with the proxy's state (calls go through the proxy). */
  implementation: ContractReport | null;
  risks: RiskFinding[];
  /** The highest level among `risks` (and the implementation's), LOW when there are none. */
  riskLevel: RiskLevel;
}

/** Storage slots of EIP-1967 (bytes32(uint256(keccak256('eip1967.proxy.<name>')) - 1)) and EIP-1822 (keccak256('PROXIABLE')). */
export const PROXY_SLOTS = {
  implementation: '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc',
  beacon: '0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50',
  admin: '0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103',
  proxiable: '0xc5f16f0fcc639fa48a6947836d9850f504798523bf8c9a3a87d5876cf622bcf7',
} as const;

/** EIP-165 interface ids. */
const INTERFACE_IDS = { ERC165: '0x01ffc9a7', ERC721: '0x80ac58cd', ERC1155: '0xd9b67a26' } as const;

/** Selector sets that make a standard when every one is dispatched. */
const STANDARD_SELECTORS: Record<Exclude<TokenStandard, 'ERC165'>, Parameters<typeof selectorOf>[0][]> = {
  ERC20: [
    'totalSupply()',
    'balanceOf(address)',
    'transfer(address,uint256)',
    'transferFrom(address,address,uint256)',
    'approve(address,uint256)',
    'allowance(address,address)',
  ],
  ERC721: ['ownerOf(uint256)', 'safeTransferFrom(address,address,uint256)', 'setApprovalForAll(address,bool)', 'isApprovedForAll(address,address)'],
  ERC1155: ['balanceOfBatch(address[],uint256[])', 'safeBatchTransferFrom(address,address,uint256[],uint256[],bytes)'],
};

/** Privileged capabilities: any one of these functions dispatched, and how bad it is once restricted to an owner. */
const PRIVILEGED: { capability: Extract<Capability, 'MINT' | 'PAUSE' | 'BLACKLIST'>; level: RiskLevel; functions: Parameters<typeof selectorOf>[0][] }[] = [
  { capability: 'MINT', level: 'HIGH', functions: ['mint(address,uint256)', 'mint(uint256)', 'mintTo(address,uint256)'] },
  { capability: 'PAUSE', level: 'MEDIUM', functions: ['pause()'] },
  {
    capability: 'BLACKLIST',
    level: 'MEDIUM',
    functions: ['addToBlacklist(address)', 'blacklist(address)', 'addBlackList(address)', 'freeze(address)'],
  },
];

/** Who calls privileged functions in the probes: an address nobody holds a key for. */
const PROBE_CALLER: Address = '0x000000000000000000000000000000000000dEaD';
const MINIMAL_PROXY = /^0x363d3d373d3d3d363d73([0-9a-f]{40})5af43d82803e903d91602b57fd5bf3$/i;

export interface ContractAnalysisOptions {
  /** Block the code and state are read at. Default: the latest. */
  blockNumber?: bigint;
}

/**
 * Analyses the contract at `address` from its deployed bytecode (disassembled, not searched as
 * text) and its state (proxy slots, EIP-165 answers, privileged calls simulated from an arbitrary
 * caller). Behind a proxy, the implementation is analysed too, one level deep.
 */
export async function analyseContract(client: PublicClient, address: Address, options: ContractAnalysisOptions = {}): Promise<ContractReport> {
  return analyse(client, getAddress(address), getAddress(address), options.blockNumber, true);
}

async function analyse(
  client: PublicClient,
  address: Address,
  stateAddress: Address,
  blockNumber: bigint | undefined,
  followProxy: boolean,
): Promise<ContractReport> {
  const at = blockNumber === undefined ? {} : { blockNumber };
  const code = (await client.getCode({ address, ...at })) ?? '0x';
  const empty: ContractReport = {
    address,
    isContract: false,
    codeSize: 0,
    codeHash: null,
    functions: [],
    standards: [],
    proxy: null,
    implementation: null,
    risks: [],
    riskLevel: 'LOW',
  };
  if (code === '0x') return empty;

  const instructions = disassemble(stripMetadata(hexToBytes(code)));
  const functions = dispatcherSelectors(instructions).map(({ selector, offset }) => ({ selector, signature: KNOWN_SIGNATURES.get(selector) ?? null, offset }));
  const dispatched = new Set(functions.map((fn) => fn.selector));
  const call = (data: Hex, from?: Address) => simulate(client, stateAddress, data, from, blockNumber);

  const proxy = await detectProxy(client, address, code, instructions, blockNumber);
  const implementation = followProxy && proxy?.implementation ? await analyse(client, proxy.implementation, address, blockNumber, false) : null;
  if (proxy && implementation && proxy.kind === 'EIP1967' && implementation.functions.some((fn) => fn.signature === 'proxiableUUID()')) {
    proxy.kind = 'UUPS';
    proxy.evidence.push('the implementation dispatches proxiableUUID() (EIP-1822): it upgrades itself');
  }

  const standards = implementation?.standards.length ? implementation.standards : await detectStandards(dispatched, call);
  const risks = [...bytecodeRisks(instructions, proxy !== null), ...(await privilegedRisks(dispatched, call)), ...(proxy ? [upgradeRisk(proxy)] : [])];
  const riskLevel = [...risks.map((risk) => risk.level), implementation?.riskLevel ?? 'LOW'].reduce(higher, 'LOW');
  return {
    address,
    isContract: true,
    codeSize: (code.length - 2) / 2,
    codeHash: keccak256(code),
    functions,
    standards,
    proxy,
    implementation,
    risks,
    riskLevel,
  };
}

const higher = (a: RiskLevel, b: RiskLevel): RiskLevel => (RISK_LEVELS.indexOf(a) >= RISK_LEVELS.indexOf(b) ? a : b);

/** eth_call at the state address; undefined when it reverts (or the node refuses it). */
async function simulate(client: PublicClient, to: Address, data: Hex, from: Address | undefined, blockNumber: bigint | undefined): Promise<Hex | undefined> {
  try {
    const result = await client.call({ to, data, ...(from ? { account: from } : {}), ...(blockNumber === undefined ? {} : { blockNumber }) });
    return result.data ?? '0x';
  } catch {
    return undefined;
  }
}

const asBool = (result: Hex | undefined) => result !== undefined && result.length === 66 && BigInt(result) === 1n;
const wordToAddress = (word: Hex | undefined): Address | null => (word && word.length > 2 && BigInt(word) !== 0n ? getAddress(`0x${word.slice(-40)}`) : null);

async function detectStandards(dispatched: Set<Hex>, call: (data: Hex) => Promise<Hex | undefined>): Promise<Finding<TokenStandard>[]> {
  const supports = (id: Hex | '0xffffffff') =>
    call(encodeFunctionData({ abi: [parseAbiItem('function supportsInterface(bytes4) view returns (bool)')], args: [id] }));
  const standards: Finding<TokenStandard>[] = [];
  const erc165 =
    dispatched.has(selectorOf('supportsInterface(bytes4)')) && asBool(await supports(INTERFACE_IDS.ERC165)) && !asBool(await supports('0xffffffff'));
  if (erc165) standards.push({ kind: 'ERC165', evidence: ['supportsInterface(0x01ffc9a7) is true and supportsInterface(0xffffffff) false'] });
  for (const [standard, signatures] of Object.entries(STANDARD_SELECTORS) as [Exclude<TokenStandard, 'ERC165'>, (typeof STANDARD_SELECTORS)['ERC20']][]) {
    const evidence: string[] = [];
    if (signatures.every((signature) => dispatched.has(selectorOf(signature)))) evidence.push(`dispatches ${signatures.join(', ')}`);
    const id = standard === 'ERC20' ? undefined : INTERFACE_IDS[standard];
    if (erc165 && id && asBool(await supports(id))) evidence.push(`supportsInterface(${id}) is true`);
    if (evidence.length > 0) standards.push({ kind: standard, evidence });
  }
  return standards;
}

async function detectProxy(
  client: PublicClient,
  address: Address,
  code: Hex,
  instructions: Instruction[],
  blockNumber: bigint | undefined,
): Promise<ProxyReport | null> {
  const minimal = MINIMAL_PROXY.exec(code);
  if (minimal) {
    return {
      kind: 'MINIMAL_PROXY',
      implementation: getAddress(`0x${minimal[1]}`),
      beacon: null,
      admin: null,
      evidence: ['the whole code is the EIP-1167 minimal proxy'],
    };
  }
  const at = blockNumber === undefined ? {} : { blockNumber };
  const [implementationWord, beaconWord, adminWord, proxiableWord] = await Promise.all(
    Object.values(PROXY_SLOTS).map((slot) => client.getStorageAt({ address, slot, ...at })),
  );
  const pushed = new Set(instructions.filter((instruction) => instruction.name === 'PUSH32').map((instruction) => instruction.immediate));
  const slotEvidence = (name: keyof typeof PROXY_SLOTS, value: Address) =>
    `${name} slot ${PROXY_SLOTS[name]} holds ${value}${pushed.has(PROXY_SLOTS[name]) ? ' (the code reads that slot)' : ''}`;
  const admin = wordToAddress(adminWord);
  const beacon = wordToAddress(beaconWord);
  if (beacon) {
    const answer = await simulate(client, beacon, selectorOf('implementation()'), undefined, blockNumber);
    const implementation = wordToAddress(answer);
    return {
      kind: 'BEACON',
      implementation,
      beacon,
      admin,
      evidence: [slotEvidence('beacon', beacon), `the beacon's implementation() is ${implementation ?? 'not answered'}`],
    };
  }
  const implementation = wordToAddress(implementationWord);
  if (implementation) {
    const evidence = [slotEvidence('implementation', implementation), ...(admin ? [slotEvidence('admin', admin)] : [])];
    return { kind: admin ? 'TRANSPARENT' : 'EIP1967', implementation, beacon: null, admin, evidence };
  }
  const proxiable = wordToAddress(proxiableWord);
  if (proxiable) return { kind: 'EIP1822', implementation: proxiable, beacon: null, admin, evidence: [slotEvidence('proxiable', proxiable)] };
  return null;
}

/** SELFDESTRUCT and DELEGATECALL, located in the disassembly; a proxy's delegation is its upgrade risk, not a separate one. */
function bytecodeRisks(instructions: Instruction[], isProxy: boolean): RiskFinding[] {
  const risks: RiskFinding[] = [];
  const selfdestructs = instructions.filter((instruction) => instruction.name === 'SELFDESTRUCT');
  if (selfdestructs.length > 0) {
    risks.push({ kind: 'SELFDESTRUCT', level: 'HIGH', evidence: selfdestructs.map((instruction) => `SELFDESTRUCT at byte ${instruction.offset}`) });
  }
  if (isProxy) return risks;
  const delegations: { level: RiskLevel; text: string }[] = [];
  const targets = delegatecallTargets(instructions);
  for (const instruction of instructions) {
    if (instruction.name !== 'DELEGATECALL') continue;
    const origins = targets.get(instruction.offset);
    const at = instruction.offset;
    // Only pushed constants: a linked library's fixed address, not a variable target.
    if (origins && [...origins].every((origin) => origin === 'CONSTANT')) continue;
    if (!origins) delegations.push({ level: 'MEDIUM', text: `DELEGATECALL at byte ${at}, not reached by the data-flow walk: its target is unknown` });
    else if (origins.has('CALLDATA')) delegations.push({ level: 'CRITICAL', text: `DELEGATECALL at byte ${at} to a target taken from the call data` });
    else if (origins.has('STORAGE')) delegations.push({ level: 'HIGH', text: `DELEGATECALL at byte ${at} to a target read from storage` });
    else delegations.push({ level: 'MEDIUM', text: `DELEGATECALL at byte ${at} to a computed target` });
  }
  if (delegations.length > 0) {
    risks.push({ kind: 'DELEGATECALL', level: delegations.map((d) => d.level).reduce(higher, 'LOW'), evidence: delegations.map((d) => d.text) });
  }
  return risks;
}

/**
 * Mint, pause and blacklist functions: found in the dispatcher, then called (eth_call, nothing is
 * sent) from an address nobody controls. A revert means the function is restricted to someone —
 * named when the contract answers owner(); success means anyone can call it.
 */
async function privilegedRisks(dispatched: Set<Hex>, call: (data: Hex, from?: Address) => Promise<Hex | undefined>): Promise<RiskFinding[]> {
  const owner = dispatched.has(selectorOf('owner()')) ? wordToAddress(await call(selectorOf('owner()'))) : null;
  const roles = dispatched.has(selectorOf('hasRole(bytes32,address)'));
  const risks: RiskFinding[] = [];
  for (const { capability, level, functions } of PRIVILEGED) {
    const present = functions.filter((signature) => dispatched.has(selectorOf(signature)));
    if (present.length === 0) continue;
    const evidence: string[] = [];
    let anyoneCan = false;
    for (const signature of present) {
      const item = parseAbiItem(`function ${signature}`) as AbiFunction;
      const args = item.inputs.map((input) => (input.type === 'address' ? PROBE_CALLER : 1n));
      const result = await call(encodeFunctionData({ abi: [item], args } as never), PROBE_CALLER);
      if (result === undefined) evidence.push(`${signature} reverts for an arbitrary caller`);
      else {
        anyoneCan = true;
        evidence.push(`${signature} succeeds for an arbitrary caller`);
      }
    }
    if (owner) evidence.push(`owner() is ${owner}`);
    else if (roles) evidence.push('access is role-based (hasRole)');
    risks.push({ kind: capability, level: anyoneCan ? 'CRITICAL' : level, evidence });
  }
  return risks;
}

function upgradeRisk(proxy: ProxyReport): RiskFinding {
  const who = proxy.admin ? `the admin ${proxy.admin}` : proxy.kind === 'UUPS' ? 'whoever the implementation lets upgrade' : 'whoever can write the slot';
  return { kind: 'UPGRADEABLE', level: 'HIGH', evidence: [`${proxy.kind} proxy: ${who} can replace the code behind this address`, ...proxy.evidence] };
}

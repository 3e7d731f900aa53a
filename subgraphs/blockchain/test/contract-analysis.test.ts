import { encodeFunctionData, zeroAddress, type Address, type Hex } from 'viem';
import { delegatecallTargets } from '../src/analysis/evm-dataflow';
import { disassemble, dispatcherSelectors, hexToBytes, stripMetadata } from '../src/analysis/evm-disassembler';
import { startTestChain, type TestChain } from './chain';
import { deployFixture, fixture } from './fixtures';
import { startBlockchainHarness, type BlockchainHarness } from './harness';

const ANALYSIS = /* GraphQL */ `
  fragment Report on ContractAnalysis {
    address
    isContract
    codeSize
    codeHash
    functions {
      selector
      signature
    }
    standards {
      standard
      evidence
    }
    proxy {
      kind
      implementation
      beacon
      admin
      evidence
    }
    risks {
      capability
      level
      evidence
    }
    riskLevel
  }
  query Analyse($address: String!) {
    contractAnalysis(address: $address) {
      ...Report
      implementation {
        ...Report
      }
    }
  }
`;

interface Report {
  address: string;
  isContract: boolean;
  functions: { selector: string; signature: string | null }[];
  standards: { standard: string; evidence: string[] }[];
  proxy: { kind: string; implementation: string | null; evidence: string[] } | null;
  risks: { capability: string; level: string; evidence: string[] }[];
  riskLevel: string;
  implementation: Report | null;
}

let chain: TestChain;
let harness: BlockchainHarness;

beforeAll(async () => {
  chain = await startTestChain();
  harness = await startBlockchainHarness(chain);
}, 90_000);

afterAll(async () => {
  await harness?.stop();
  await chain?.stop();
});

async function analyse(address: string): Promise<Report> {
  const response = await harness.call<{ contractAnalysis: Report }>(ANALYSIS, { address });
  expect(response.errors).toBeUndefined();
  return response.data!.contractAnalysis;
}

const signatures = (report: Report) => report.functions.map((fn) => fn.signature).filter(Boolean);
const capabilities = (report: Report) => Object.fromEntries(report.risks.map((risk) => [risk.capability, risk.level]));

describe('the disassembler', () => {
  it('skips PUSH immediates: a 0xff inside push data is not a SELFDESTRUCT', () => {
    const instructions = disassemble(hexToBytes(`0x60ff7f${'ff'.repeat(32)}ff`));
    expect(instructions.map((instruction) => instruction.name)).toEqual(['PUSH1', 'PUSH32', 'SELFDESTRUCT']);
    expect(instructions[1]).toMatchObject({ offset: 2, immediate: `0x${'ff'.repeat(32)}` });
    expect(instructions[2]!.offset).toBe(35);
  });

  it('cuts the compiler metadata off and finds the dispatcher selectors by PUSH4/EQ/JUMPI', () => {
    const runtime = hexToBytes(fixture('PlainToken').bytecode);
    expect(stripMetadata(runtime).length).toBeLessThan(runtime.length);
    const selectors = dispatcherSelectors(disassemble(stripMetadata(runtime))).map((entry) => entry.selector);
    // transfer(address,uint256) and approve(address,uint256)
    expect(selectors).toEqual(expect.arrayContaining(['0xa9059cbb', '0x095ea7b3']));
  });
});

describe('contractAnalysis', () => {
  it('names the selectors of a plain token, detects ERC-20 and finds nothing risky', async () => {
    const token = await deployFixture(chain, 'PlainToken', ['Plain', 'PLN', 10n ** 24n]);
    const report = await analyse(token.address);
    expect(report.isContract).toBe(true);
    expect(signatures(report)).toEqual(expect.arrayContaining(['transfer(address,uint256)', 'approve(address,uint256)', 'totalSupply()', 'name()']));
    expect(report.standards.map((finding) => finding.standard)).toEqual(['ERC20']);
    expect(report.proxy).toBeNull();
    expect(report.risks).toEqual([]);
    expect(report.riskLevel).toBe('LOW');
  });

  it('finds the owner-only mint, pause and blacklist of an owned token, with the owner and the refused calls as evidence', async () => {
    const token = await deployFixture(chain, 'MintableToken');
    const report = await analyse(token.address);
    expect(report.standards.map((finding) => finding.standard)).toEqual(['ERC20']);
    expect(capabilities(report)).toEqual({ MINT: 'HIGH', PAUSE: 'MEDIUM', BLACKLIST: 'MEDIUM' });
    const mint = report.risks.find((risk) => risk.capability === 'MINT')!;
    expect(mint.evidence).toEqual(['mint(address,uint256) reverts for an arbitrary caller', `owner() is ${chain.deployment.operator}`]);
    expect(report.riskLevel).toBe('HIGH');
  });

  it('reads an EIP-1967 proxy’s implementation from its slot and analyses it through the proxy', async () => {
    const implementation = await deployFixture(chain, 'MintableToken');
    const owner: Address = '0x1111111111111111111111111111111111111111';
    const init = encodeFunctionData({ abi: implementation.abi, functionName: 'initialize', args: [owner] } as never);
    const proxy = await deployFixture(chain, 'ERC1967Proxy', [implementation.address, zeroAddress, init]);
    const report = await analyse(proxy.address);
    expect(report.proxy).toMatchObject({ kind: 'EIP1967', implementation: implementation.address.toLowerCase() });
    expect(report.proxy!.evidence[0]).toMatch(/^implementation slot 0x360894a1.* holds .*\(the code reads that slot\)$/);
    expect(capabilities(report)).toEqual({ UPGRADEABLE: 'HIGH' });
    // Its delegation is the upgrade risk, not reported twice; the data-flow walk sees where the target comes from.
    const code = (await chain.clients.public.getCode({ address: proxy.address }))!;
    const targets = delegatecallTargets(disassemble(stripMetadata(hexToBytes(code))));
    expect([...targets.values()].map((origins) => [...origins])).toEqual([['STORAGE']]);
    expect(report.standards.map((finding) => finding.standard)).toEqual(['ERC20']);
    expect(report.implementation!.address).toBe(implementation.address.toLowerCase());
    expect(capabilities(report.implementation!)).toEqual({ MINT: 'HIGH', PAUSE: 'MEDIUM', BLACKLIST: 'MEDIUM' });
    // The owner is the proxy's (set by initialize through it), not the implementation's own.
    expect(report.implementation!.risks[0]!.evidence).toContain(`owner() is 0x1111111111111111111111111111111111111111`);
  });

  it('tells the transparent, UUPS, beacon and minimal proxy kinds apart, each with its implementation', async () => {
    const token = await deployFixture(chain, 'PlainToken', ['Plain', 'PLN', 1n]);
    const admin: Address = '0x2222222222222222222222222222222222222222';
    const transparent = await analyse((await deployFixture(chain, 'ERC1967Proxy', [token.address, admin, '0x'])).address);
    expect(transparent.proxy).toMatchObject({ kind: 'TRANSPARENT', implementation: token.address.toLowerCase() });
    expect(transparent.risks.find((risk) => risk.capability === 'UPGRADEABLE')!.evidence[0]).toBe(
      `TRANSPARENT proxy: the admin 0x2222222222222222222222222222222222222222 can replace the code behind this address`,
    );

    const counter = await deployFixture(chain, 'UupsCounter');
    const init = encodeFunctionData({ abi: counter.abi, functionName: 'initialize', args: [admin] } as never);
    const uups = await analyse((await deployFixture(chain, 'ERC1967Proxy', [counter.address, zeroAddress, init])).address);
    expect(uups.proxy).toMatchObject({ kind: 'UUPS', implementation: counter.address.toLowerCase() });
    expect(signatures(uups.implementation!)).toEqual(expect.arrayContaining(['proxiableUUID()', 'upgradeTo(address)']));

    const beacon = await deployFixture(chain, 'Beacon', [token.address]);
    const beaconed = await analyse((await deployFixture(chain, 'BeaconProxy', [beacon.address])).address);
    expect(beaconed.proxy).toMatchObject({ kind: 'BEACON', implementation: token.address.toLowerCase() });
    expect(beaconed.standards.map((finding) => finding.standard)).toEqual(['ERC20']);

    // EIP-1167: the clone's whole runtime code, deployed by a ten-byte constructor that returns it.
    const runtime = `363d3d373d3d3d363d73${token.address.slice(2).toLowerCase()}5af43d82803e903d91602b57fd5bf3`;
    const hash = await chain.clients.wallet.sendTransaction({
      data: `0x3d602d80600a3d3981f3${runtime}` as Hex,
      account: chain.clients.wallet.account,
      chain: chain.clients.chain,
    });
    const clone = (await chain.clients.public.waitForTransactionReceipt({ hash })).contractAddress!;
    const minimal = await analyse(clone);
    expect(minimal.proxy).toMatchObject({ kind: 'MINIMAL_PROXY', implementation: token.address.toLowerCase() });
  });

  it('flags a DELEGATECALL to a target the caller chooses', async () => {
    const delegator = await deployFixture(chain, 'Delegator');
    const report = await analyse(delegator.address);
    expect(report.risks).toEqual([
      { capability: 'DELEGATECALL', level: 'CRITICAL', evidence: [expect.stringMatching(/^DELEGATECALL at byte \d+ to a target taken from the call data$/)] },
    ]);
  });

  it('flags SELFDESTRUCT with the byte offset it sits at', async () => {
    const vault = await deployFixture(chain, 'Destructible');
    const report = await analyse(vault.address);
    expect(capabilities(report)).toEqual({ SELFDESTRUCT: 'HIGH' });
    expect(report.risks[0]!.evidence).toEqual([expect.stringMatching(/^SELFDESTRUCT at byte \d+$/)]);
    const code = await chain.clients.public.getCode({ address: vault.address });
    const offset = Number(/byte (\d+)/.exec(report.risks[0]!.evidence[0]!)![1]);
    expect(code!.slice(2 + 2 * offset, 4 + 2 * offset)).toBe('ff');
  });

  it('detects ERC-721 and ERC-165 from the selectors and the supportsInterface answers', async () => {
    const nft = await deployFixture(chain, 'SimpleNft');
    const report = await analyse(nft.address);
    expect(Object.fromEntries(report.standards.map((finding) => [finding.standard, finding.evidence]))).toEqual({
      ERC165: ['supportsInterface(0x01ffc9a7) is true and supportsInterface(0xffffffff) false'],
      ERC721: [expect.stringMatching(/^dispatches ownerOf\(uint256\)/), 'supportsInterface(0x80ac58cd) is true'],
    });
  });

  it('analyses the platform’s own contracts: $FORGE is a plain ERC-20, the treasury an operator-run vault', async () => {
    const forge = await analyse(chain.deployment.forgeToken);
    expect(forge.standards.map((finding) => finding.standard)).toEqual(['ERC20']);
    expect(forge.risks).toEqual([]);
    const treasury = await analyse(chain.deployment.treasury);
    expect(signatures(treasury)).toEqual(expect.arrayContaining(['payout(address,address,uint256)', 'operator()', 'transferOperator(address)']));
    expect(treasury.standards).toEqual([]);
    expect(treasury.functions.every((fn) => fn.signature !== null)).toBe(true);
  });

  it('reports an address without code as no contract, and refuses what is not an address', async () => {
    expect(await analyse('0x000000000000000000000000000000000000beef')).toMatchObject({ isContract: false, functions: [], risks: [], riskLevel: 'LOW' });
    const response = await harness.call(ANALYSIS, { address: '0x1234' });
    expect(response.errors?.[0]?.extensions?.code).toBe('INVALID_ADDRESS');
  });
});

import { Arg, Ctx, Field, Int, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import {
  analyseContract,
  CAPABILITIES,
  PROXY_KINDS,
  RISK_LEVELS,
  TOKEN_STANDARDS,
  type Capability as CapabilityName,
  type ContractReport,
  type ProxyKind as ProxyKindName,
  type RiskLevel as RiskLevelName,
  type TokenStandard as TokenStandardName,
} from '../analysis/contract-analysis';
import type { BlockchainContext } from '../context';
import { graphqlEnum } from './enums';
import { parseAddress } from './inputs';

const RiskLevel = graphqlEnum(RISK_LEVELS);
registerEnumType(RiskLevel, { name: 'RiskLevel' });
const Capability = graphqlEnum(CAPABILITIES);
registerEnumType(Capability, { name: 'ContractCapability', description: 'A risky capability found in a contract.' });
const TokenStandard = graphqlEnum(TOKEN_STANDARDS);
registerEnumType(TokenStandard, { name: 'TokenStandard' });
const ProxyKind = graphqlEnum(PROXY_KINDS);
registerEnumType(ProxyKind, { name: 'ProxyKind' });

@ObjectType({ description: "A function selector in the contract's dispatcher." })
class ContractFunction {
  @Field(() => String, { description: 'The four-byte selector, 0x-hex.' })
  selector!: string;

  @Field(() => String, { nullable: true, description: 'Its signature when the selector is in the known-signature table.' })
  signature!: string | null;
}

@ObjectType()
class StandardFinding {
  @Field(() => TokenStandard)
  standard!: TokenStandardName;

  @Field(() => [String], { description: 'Why: the selectors dispatched, the EIP-165 answers.' })
  evidence!: string[];
}

@ObjectType({ description: 'How calls to this address reach other code.' })
class ProxyInfo {
  @Field(() => ProxyKind)
  kind!: ProxyKindName;

  @Field(() => String, { nullable: true, description: 'The implementation, read from its slot (or from the beacon).' })
  implementation!: string | null;

  @Field(() => String, { nullable: true })
  beacon!: string | null;

  @Field(() => String, { nullable: true, description: 'The EIP-1967 admin, when the slot holds one.' })
  admin!: string | null;

  @Field(() => [String])
  evidence!: string[];
}

@ObjectType()
class RiskFinding {
  @Field(() => Capability)
  capability!: CapabilityName;

  @Field(() => RiskLevel)
  level!: RiskLevelName;

  @Field(() => [String], { description: 'Byte offsets in the code, simulated calls and their outcomes, slots read.' })
  evidence!: string[];
}

@ObjectType({ description: 'What the deployed bytecode and chain state say about a contract.' })
export class ContractAnalysis {
  @Field(() => String, { description: 'Lower-case hex.' })
  address!: string;

  @Field(() => Boolean, { description: 'False when the address has no code.' })
  isContract!: boolean;

  @Field(() => Int, { description: 'Deployed code size in bytes.' })
  codeSize!: number;

  @Field(() => String, { nullable: true, description: 'keccak256 of the deployed code.' })
  codeHash!: string | null;

  @Field(() => [ContractFunction])
  functions!: ContractFunction[];

  @Field(() => [StandardFinding], { description: "Behind a proxy: the implementation's, answered through the proxy." })
  standards!: StandardFinding[];

  @Field(() => ProxyInfo, { nullable: true })
  proxy!: ProxyInfo | null;

  @Field(() => ContractAnalysis, { nullable: true, description: 'The implementation behind a proxy, analysed with the proxy’s state.' })
  implementation!: ContractAnalysis | null;

  @Field(() => [RiskFinding])
  risks!: RiskFinding[];

  @Field(() => RiskLevel, { description: "The highest level among the risks (the implementation's included); LOW without any." })
  riskLevel!: RiskLevelName;
}

function toGraphQL(report: ContractReport): ContractAnalysis {
  return {
    address: report.address.toLowerCase(),
    isContract: report.isContract,
    codeSize: report.codeSize,
    codeHash: report.codeHash,
    functions: report.functions.map(({ selector, signature }) => ({ selector, signature })),
    standards: report.standards.map(({ kind, evidence }) => ({ standard: kind, evidence })),
    proxy: report.proxy && {
      kind: report.proxy.kind,
      implementation: report.proxy.implementation?.toLowerCase() ?? null,
      beacon: report.proxy.beacon?.toLowerCase() ?? null,
      admin: report.proxy.admin?.toLowerCase() ?? null,
      evidence: report.proxy.evidence,
    },
    implementation: report.implementation && toGraphQL(report.implementation),
    risks: report.risks.map(({ kind, level, evidence }) => ({ capability: kind, level: level, evidence })),
    riskLevel: report.riskLevel,
  };
}

@Resolver()
export class ContractAnalysisResolver {
  @Query(() => ContractAnalysis, {
    nullable: true,
    description: 'Selectors, standards, proxy and risky capabilities of the contract at an address (at the head).',
  })
  async contractAnalysis(@Arg('address', () => String) address: string, @Ctx() ctx: BlockchainContext): Promise<ContractAnalysis> {
    const target = parseAddress(address);
    const stop = ctx.metrics.analysisDuration.startTimer({ analysis: 'contract' });
    try {
      return toGraphQL(await analyseContract(ctx.reader.clients.public, target));
    } finally {
      stop();
    }
  }
}

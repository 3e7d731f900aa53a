import { Ctx, Field, FieldResolver, Float, Int, ObjectType, Resolver, Root, registerEnumType } from 'type-graphql';
import { clusterOf } from '../analysis/wallet-cluster';
import { LINK_HEURISTICS, type LinkHeuristic } from '../analysis/wallet-links';
import { graphqlEnum } from './enums';
import type { BlockchainContext } from '../context';
import { Wallet } from './wallet';

const WalletLinkHeuristic = graphqlEnum(LINK_HEURISTICS);
registerEnumType(WalletLinkHeuristic, {
  name: 'WalletLinkHeuristic',
  description: 'See the README: what each heuristic looks for, its score and blind spots.',
});

@ObjectType({ description: 'One piece of evidence that two wallets are one actor.' })
class WalletLinkEvidence {
  @Field(() => String)
  a!: string;

  @Field(() => String)
  b!: string;

  @Field(() => WalletLinkHeuristic)
  heuristic!: LinkHeuristic;

  @Field(() => Float, { description: 'How strongly this piece alone says "one actor" (0..1).' })
  score!: number;

  @Field(() => String)
  evidence!: string;

  @Field(() => String, { description: 'The transaction that revealed it.' })
  txHash!: string;

  @Field(() => Int)
  blockNumber!: number;
}

@ObjectType({ description: 'Wallets the transfer-graph heuristics say are one actor.' })
class WalletCluster {
  @Field(() => [String], { description: 'Lower-case addresses, this wallet included.' })
  members!: string[];

  @Field(() => Float, { description: 'The weakest combined score among the joins that made the cluster (0..1).' })
  confidence!: number;

  @Field(() => [WalletLinkEvidence])
  links!: WalletLinkEvidence[];
}

@Resolver(() => Wallet)
export class WalletClusterResolver {
  @FieldResolver(() => WalletCluster, { nullable: true, description: 'The cluster this wallet belongs to; null when it is joined to no other.' })
  async cluster(@Root() wallet: Wallet, @Ctx() ctx: BlockchainContext): Promise<WalletCluster | null> {
    const cluster = await clusterOf(ctx.prisma, wallet.address);
    if (!cluster) return null;
    return {
      members: cluster.members,
      confidence: cluster.confidence,
      links: cluster.links.map((link) => ({
        a: link.addressA,
        b: link.addressB,
        heuristic: link.heuristic as LinkHeuristic,
        score: link.score,
        evidence: link.evidence,
        txHash: link.txHash,
        blockNumber: Number(link.blockNumber),
      })),
    };
  }
}

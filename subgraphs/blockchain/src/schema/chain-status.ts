import { Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { BlockchainContext } from '../context';
import { FOLLOWER_CURSOR_ID } from '../events/follower';

@ObjectType({ description: "Where the platform stands on its chain: the node's head and how far the follower has read." })
export class ChainStatus {
  @Field(() => Int)
  chainId!: number;

  @Field(() => Int, { description: 'Latest block the node reports.' })
  headBlock!: number;

  @Field(() => Int, { nullable: true, description: 'Last block whose $FORGE transfers are stored and published (null before the first).' })
  followedBlock!: number | null;

  @Field(() => Int, { description: 'Depth at which a transfer counts as CONFIRMED.' })
  confirmationsRequired!: number;

  @Field(() => String)
  forgeToken!: string;

  @Field(() => String)
  treasury!: string;
}

@Resolver(() => ChainStatus)
export class ChainStatusResolver {
  @Query(() => ChainStatus, { nullable: true })
  async chainStatus(@Ctx() ctx: BlockchainContext): Promise<ChainStatus> {
    const [head, cursor] = await Promise.all([ctx.reader.head(), ctx.prisma.chainCursor.findUnique({ where: { id: FOLLOWER_CURSOR_ID } })]);
    return {
      chainId: ctx.reader.chainId,
      headBlock: Number(head),
      followedBlock: cursor ? Number(cursor.blockNumber) : null,
      confirmationsRequired: ctx.reader.confirmationsRequired,
      forgeToken: ctx.reader.deployment.forgeToken.toLowerCase(),
      treasury: ctx.reader.deployment.treasury.toLowerCase(),
    };
  }
}

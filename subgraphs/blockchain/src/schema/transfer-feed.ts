import { Arg, Ctx, Directive, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { DateTimeISOResolver } from 'graphql-scalars';
import { badUserInput } from '@supergraph/server';
import { requireService } from '@supergraph/subgraph';
import type { BlockchainContext } from '../context';
import { formatPosition, parsePosition, readTransferFeed, type TransferFeedRow } from '../data/transfer-feed';
import { TransferStatus } from './wallet';

export const TRANSFER_FEED_MAX_PAGE = 1_000;

@Directive('@inaccessible')
@ObjectType({ description: 'A stored $FORGE transfer, with when this subgraph first stored it.' })
class TransferFeedEntry {
  @Field(() => String)
  txHash!: string;

  @Field(() => Int)
  logIndex!: number;

  @Field(() => Int)
  blockNumber!: number;

  @Field(() => String, { description: 'Lower-case hex.' })
  from!: string;

  @Field(() => String, { description: 'Lower-case hex.' })
  to!: string;

  @Field(() => String, { description: 'Base units (18 decimals).' })
  value!: string;

  @Field(() => TransferStatus, { description: 'As stored now: REMOVED transfers left the canonical chain.' })
  status!: TransferStatus;

  @Field(() => DateTimeISOResolver, { description: 'When the chain follower stored it (seconds after its block).' })
  createdAt!: Date;
}

@Directive('@inaccessible')
@ObjectType({ description: 'One page of every stored transfer, oldest first.' })
class TransferFeedPage {
  @Field(() => [TransferFeedEntry])
  transfers!: TransferFeedEntry[];

  @Field(() => String, {
    nullable: true,
    description: 'Pass as `after` for the next page: after its last transfer, or the `after` given when the page is empty.',
  })
  cursor!: string | null;

  @Field(() => Boolean)
  hasMore!: boolean;
}

@Resolver()
export class TransferFeedResolver {
  @Directive('@inaccessible')
  @Query(() => TransferFeedPage, {
    nullable: true,
    description:
      'Service only (hidden from the public API): every stored $FORGE transfer after the cursor, oldest first, for services that learn from the activity over time.',
  })
  async tokenTransferFeed(
    @Arg('after', () => String, { nullable: true, description: 'A cursor from an earlier page; none starts from the oldest.' }) after: string | null,
    @Arg('first', () => Int, { defaultValue: 500 }) first: number,
    @Ctx() ctx: BlockchainContext,
  ): Promise<TransferFeedPage> {
    requireService(ctx.identity);
    if (first < 1 || first > TRANSFER_FEED_MAX_PAGE) throw badUserInput(`first must be between 1 and ${TRANSFER_FEED_MAX_PAGE}`, 'BAD_USER_INPUT', 'first');
    const position = after === null || after === '' ? null : parsePosition(after);
    if (after !== null && after !== '' && position === null)
      throw badUserInput('after must be a cursor returned by tokenTransferFeed', 'BAD_USER_INPUT', 'after');
    const page = await readTransferFeed(ctx.prisma, position, first);
    const last = page.rows.at(-1);
    return { transfers: page.rows.map(toEntry), cursor: last === undefined ? (after ?? null) : formatPosition(last), hasMore: page.hasMore };
  }
}

function toEntry(row: TransferFeedRow): TransferFeedEntry {
  return {
    txHash: row.txHash,
    logIndex: row.logIndex,
    blockNumber: Number(row.blockNumber),
    from: row.fromAddress,
    to: row.toAddress,
    value: row.value,
    status: row.status as TransferStatus,
    createdAt: row.createdAt,
  };
}

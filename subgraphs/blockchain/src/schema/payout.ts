import { Arg, Ctx, Directive, Field, ID, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { badUserInput } from '@supergraph/server';
import { requireService } from '@supergraph/subgraph';
import type { Payout as PayoutRow } from '../generated/prisma/client';
import type { BlockchainContext } from '../context';
import { parseAddress, parseAmount } from './inputs';

@Directive('@inaccessible')
@ObjectType({ description: 'A treasury payout of unstaked $FORGE, one per payments stake entry.' })
export class Payout {
  @Field(() => ID)
  entryId!: string;

  @Field(() => String, { description: 'Lower-case hex.' })
  to!: string;

  @Field(() => String, { description: 'Base units.' })
  amount!: string;

  @Field(() => String, { description: 'PENDING (recorded), SENT (signed; hash known), CONFIRMED (paid, deep enough) or FAILED (reverted: nothing paid).' })
  status!: string;

  @Field(() => String, { nullable: true })
  txHash!: string | null;

  @Field(() => String, { nullable: true, description: 'The block that holds it, once CONFIRMED.' })
  blockNumber!: string | null;
}

/** Service only (hidden from the public API): how payments makes sure each unstake is paid. */
@Resolver()
export class PayoutResolver {
  @Directive('@inaccessible')
  @Mutation(() => Payout, { description: 'Service only: pays `amount` to `to` from the treasury once per entry id (repeats return the same payout).' })
  async requestPayout(
    @Arg('entryId', () => ID) entryId: string,
    @Arg('to', () => String) to: string,
    @Arg('amount', () => String) amount: string,
    @Ctx() ctx: BlockchainContext,
  ): Promise<Payout> {
    requireService(ctx.identity);
    return toPayout(await ctx.payouts.request({ entryId: parseEntryId(entryId), to: parseAddress(to, 'to'), amount: parseAmount(amount) }));
  }

  @Directive('@inaccessible')
  @Query(() => Payout, { nullable: true, description: 'Service only: the payout of a stake entry, if requested.' })
  async payout(@Arg('entryId', () => ID) entryId: string, @Ctx() ctx: BlockchainContext): Promise<Payout | null> {
    requireService(ctx.identity);
    const row = await ctx.payouts.find(parseEntryId(entryId));
    return row && toPayout(row);
  }
}

function parseEntryId(value: string): string {
  if (!/^[0-9]{1,19}$/.test(value)) throw badUserInput('entryId must be a stake entry id (digits)', 'BAD_USER_INPUT', 'entryId');
  return value;
}

function toPayout(row: PayoutRow): Payout {
  return {
    entryId: row.entryId,
    to: row.toAddress,
    amount: row.amount,
    status: row.status,
    txHash: row.txHash,
    blockNumber: row.blockNumber?.toString() ?? null,
  };
}

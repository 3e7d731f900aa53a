import { Ctx, Directive, Field, FieldResolver, Int, ObjectType, Resolver, Root, Subscription, registerEnumType } from 'type-graphql';
import { ResumeAfter, type ResumeArgs } from '@supergraph/subgraph';
import type { MevFinding as FindingRow } from '../generated/prisma/client';
import { MEV_KINDS, MEV_ROLES, type MevKind as MevKindName, type MevRole as MevRoleName } from '../analysis/mev';
import { useEventLoaders, type BlockchainContext } from '../context';
import { MEV_DETECTED, type MevDetectedEvent } from '../events/chain-events';
import { Block } from './block';
import { graphqlEnum } from './enums';
import { Transaction, type TransactionRef } from './transaction';

const MevKind = graphqlEnum(MEV_KINDS);
registerEnumType(MevKind, { name: 'MevKind', description: 'See the README: how each is detected, and its blind spots.' });
const MevRole = graphqlEnum(MEV_ROLES);
registerEnumType(MevRole, { name: 'MevRole' });

@ObjectType()
class MevTransaction {
  @Field(() => Transaction)
  transaction!: TransactionRef;

  @Field(() => MevRole)
  role!: MevRoleName;
}

@ObjectType({ description: 'A MEV pattern in a block on the canonical chain (withdrawn when a reorg removes the block).' })
export class MevFinding {
  @Field(() => MevKind)
  kind!: MevKindName;

  @Field(() => Int)
  blockNumber!: number;

  @Field(() => String, { description: 'Lower-case sender of the attacking transactions.' })
  attacker!: string;

  @Field(() => String, { nullable: true })
  victim!: string | null;

  @Field(() => String, { nullable: true, description: 'The pool traded on; null for an arbitrage across pools.' })
  pool!: string | null;

  @Field(() => [MevTransaction], { description: 'In block order.' })
  transactions!: MevTransaction[];

  @Field(() => String, { nullable: true, description: 'Estimated profit in base units of profitToken (gas not deducted); null when not estimated.' })
  profit!: string | null;

  @Field(() => String, { nullable: true })
  profitToken!: string | null;
}

export function fromFindingRow(row: FindingRow): MevFinding {
  return {
    kind: row.kind as MevKindName,
    blockNumber: Number(row.blockNumber),
    attacker: row.attacker,
    victim: row.victim,
    pool: row.pool,
    transactions: row.txHashes.map((hash, i) => ({ transaction: { hash }, role: row.txRoles[i] as MevRoleName })),
    profit: row.profit,
    profitToken: row.profitToken,
  };
}

@Resolver(() => Block)
export class BlockMevResolver {
  @FieldResolver(() => [MevFinding], { description: 'MEV found in this block by the chain follower (empty until it has processed the block).' })
  async mevActivity(@Root() block: Block, @Ctx() ctx: BlockchainContext): Promise<MevFinding[]> {
    return (await ctx.loaders.mevByBlock.load(block.number)).filter((row) => row.blockHash === block.hash).map(fromFindingRow);
  }

  // Signed-in users only, like the other chain streams.
  @Directive('@authenticated')
  @Subscription(() => MevFinding, {
    description: 'Each MEV pattern the follower finds in a new block near the head.',
    subscribe: ({ args, context }: { args: ResumeArgs; context: BlockchainContext }) => context.events.resume<MevDetectedEvent>(MEV_DETECTED, args.after),
  })
  mevDetected(@ResumeAfter() _after: string | null, @Root() event: MevDetectedEvent, @Ctx() ctx: BlockchainContext): MevFinding {
    useEventLoaders(ctx, event);
    return { ...event, transactions: event.transactions.map(({ hash, role }) => ({ transaction: { hash }, role })) };
  }
}

@Resolver(() => Transaction)
export class TransactionMevResolver {
  @FieldResolver(() => MevRole, { nullable: true, description: 'Its part in a MEV pattern the follower found, if any.' })
  async mevRole(@Root() ref: TransactionRef, @Ctx() ctx: BlockchainContext): Promise<MevRoleName | null> {
    const rows = await ctx.loaders.mevByTransaction.load(ref.hash);
    for (const row of rows) {
      const index = row.txHashes.indexOf(ref.hash);
      if (index >= 0) return row.txRoles[index] as MevRoleName;
    }
    return null;
  }
}

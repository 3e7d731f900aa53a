import { Arg, Ctx, Directive, Field, Int, ObjectType, Query, Resolver, Root, Subscription } from 'type-graphql';
import { DateTimeISOResolver } from 'graphql-scalars';
import { badUserInput } from '@supergraph/server';
import { ResumeAfter, type ResumeArgs } from '@supergraph/subgraph';
import type { BlockView } from '../data/chain-reader';
import { useEventLoaders, type BlockchainContext } from '../context';
import { NEW_BLOCK, type NewBlockEvent } from '../events/chain-events';

@ObjectType({ description: 'A block of the chain the platform follows.' })
export class Block {
  @Field(() => Int)
  number!: number;

  @Field(() => String)
  hash!: string;

  @Field(() => String)
  parentHash!: string;

  @Field(() => DateTimeISOResolver)
  timestamp!: Date;

  @Field(() => Int)
  transactionCount!: number;

  @Field(() => String, { nullable: true, description: 'Gas used by the whole block (null on live events).' })
  gasUsed!: string | null;
}

export function toBlock(view: BlockView): Block {
  return { ...view, gasUsed: view.gasUsed.toString() };
}

@Resolver(() => Block)
export class BlockResolver {
  @Query(() => Block, { nullable: true, description: 'A block by number; the latest one without a number.' })
  async block(@Arg('number', () => Int, { nullable: true }) number: number | null, @Ctx() ctx: BlockchainContext): Promise<Block | null> {
    if (number !== null && number < 0) throw badUserInput('number must not be negative', 'BAD_USER_INPUT', 'number');
    const target = number ?? Number(await ctx.reader.head());
    const view = await ctx.loaders.block.load(target);
    return view ? toBlock(view) : null;
  }

  // Signed-in users only: the router refuses anonymous callers at subscribe time.
  @Directive('@authenticated')
  @Subscription(() => Block, {
    description: 'Each new block on the canonical chain, as the follower processes it.',
    subscribe: ({ args, context }: { args: ResumeArgs; context: BlockchainContext }) => context.events.resume<NewBlockEvent>(NEW_BLOCK, args.after),
  })
  newBlock(@ResumeAfter() _after: string | null, @Root() event: NewBlockEvent, @Ctx() ctx: BlockchainContext): Block {
    useEventLoaders(ctx, event);
    return { ...event, timestamp: new Date(event.timestamp), gasUsed: null };
  }
}

import { Arg, Ctx, Field, FieldResolver, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Address } from 'viem';
import type { BlockchainContext } from '../context';
import { parseAddress } from './inputs';
import { Wallet } from './wallet';

@ObjectType({ description: 'The $FORGE ERC-20 contract: typed reads.' })
export class ForgeToken {
  @Field(() => String)
  address!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  symbol!: string;

  @Field(() => Int)
  decimals!: number;

  @Field(() => String, { description: 'Base units.' })
  totalSupply!: string;
}

@ObjectType({ description: "The treasury contract that holds the $FORGE supply and pays out on its operator's order." })
export class Treasury {
  @Field(() => String)
  address!: string;

  @Field(() => Int)
  chainId!: number;
}

@Resolver(() => ForgeToken)
export class ForgeTokenResolver {
  @Query(() => ForgeToken, { nullable: true })
  async forgeToken(@Ctx() ctx: BlockchainContext): Promise<ForgeToken> {
    const info = await ctx.reader.forgeToken();
    return { ...info, totalSupply: info.totalSupply.toString() };
  }

  @FieldResolver(() => String, { description: 'balanceOf(owner), in base units.' })
  async balanceOf(@Arg('owner', () => String) owner: string, @Ctx() ctx: BlockchainContext): Promise<string> {
    return (await ctx.loaders.wallet.load(parseAddress(owner, 'owner'))).forgeBalance.toString();
  }

  @FieldResolver(() => String, { description: 'allowance(owner, spender), in base units.' })
  async allowance(@Arg('owner', () => String) owner: string, @Arg('spender', () => String) spender: string, @Ctx() ctx: BlockchainContext): Promise<string> {
    const value = await ctx.reader.allowance(parseAddress(owner, 'owner') as Address, parseAddress(spender, 'spender') as Address);
    return value.toString();
  }
}

@Resolver(() => Treasury)
export class TreasuryResolver {
  @Query(() => Treasury, { nullable: true })
  treasury(@Ctx() ctx: BlockchainContext): Treasury {
    return { address: ctx.reader.deployment.treasury.toLowerCase(), chainId: ctx.reader.chainId };
  }

  @FieldResolver(() => String, { description: "The address allowed to pay out (the signing module's)." })
  operator(@Root() _treasury: Treasury, @Ctx() ctx: BlockchainContext): Promise<string> {
    return ctx.reader.treasuryOperator();
  }

  @FieldResolver(() => Wallet, { description: "The treasury contract's own balances." })
  wallet(@Root() treasury: Treasury): Wallet {
    return { address: treasury.address };
  }
}

import { Ctx, Directive, Field, FieldResolver, ID, Int, ObjectType, Resolver, Root } from 'type-graphql';
import { forbidden } from '@supergraph/server';
import type { PaymentsContext } from '../context';
import { feeDiscount } from '../domain/tiers';
import type { PaymentView } from '../services/views';
import { mayReadMoneyOf } from './access';
import { Payment } from './payment';

/** The users subgraph's entity; payments adds what it knows about the user's money. */
@Directive('@key(fields: "id")')
@ObjectType()
export class User {
  @Field(() => ID)
  id!: string;
}

@Resolver(() => User)
export class UserPaymentsResolver {
  @FieldResolver(() => [Payment], { description: 'Newest first. Visible to the user and admins.' })
  payments(@Root() user: User, @Ctx() ctx: PaymentsContext): Promise<PaymentView[]> {
    if (!mayReadMoneyOf(ctx.identity, user.id)) throw forbidden("Only the user and admins can see a user's payments");
    return ctx.loaders.paymentsByUserId.load(user.id);
  }

  @FieldResolver(() => Int, { description: "Fee reduction in percent that the user's $FORGE stake earns (tier table in config)." })
  async feeDiscount(@Root() user: User, @Ctx() ctx: PaymentsContext): Promise<number> {
    if (!mayReadMoneyOf(ctx.identity, user.id)) throw forbidden("Only the user and admins can see a user's stake");
    const account = await ctx.loaders.accountByUserId.load(user.id);
    return feeDiscount(BigInt(account?.staked.toFixed(0) ?? '0'), ctx.config.payments);
  }

  @FieldResolver(() => String, { description: '$FORGE staked, in base units (18 decimals).' })
  async stakedForge(@Root() user: User, @Ctx() ctx: PaymentsContext): Promise<string> {
    if (!mayReadMoneyOf(ctx.identity, user.id)) throw forbidden("Only the user and admins can see a user's stake");
    const account = await ctx.loaders.accountByUserId.load(user.id);
    return account?.staked.toFixed(0) ?? '0';
  }
}

export function resolveUserReference(reference: Record<string, unknown>): User | null {
  return typeof reference.id === 'string' ? { id: reference.id } : null;
}

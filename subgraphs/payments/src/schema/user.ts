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
  // Nullable: with payments down the router nulls this field alone (SUBGRAPH_UNAVAILABLE here), not the whole user.
  @FieldResolver(() => [Payment], {
    nullable: true,
    description: 'Newest first. Visible to the user and admins. Null while the payments subgraph is unavailable.',
  })
  payments(@Root() user: User, @Ctx() ctx: PaymentsContext): Promise<PaymentView[]> {
    if (!mayReadMoneyOf(ctx.identity, user.id)) throw forbidden("Only the user and admins can see a user's payments");
    return ctx.loaders.paymentsByUserId.load(user.id);
  }

  // Nullable for the same reason as `payments`: an outage of this subgraph must not blank the user.
  @FieldResolver(() => Int, {
    nullable: true,
    description: "Fee reduction in percent that the user's $FORGE stake earns (tier table in config). Null while the payments subgraph is unavailable.",
  })
  async feeDiscount(@Root() user: User, @Ctx() ctx: PaymentsContext): Promise<number> {
    if (!mayReadMoneyOf(ctx.identity, user.id)) throw forbidden("Only the user and admins can see a user's stake");
    const account = await ctx.loaders.accountByUserId.load(user.id);
    return feeDiscount(BigInt(account?.staked.toFixed(0) ?? '0'), ctx.config.payments);
  }

  // Nullable for the same reason as `payments`.
  @FieldResolver(() => String, { nullable: true, description: '$FORGE staked, in base units (18 decimals). Null while the payments subgraph is unavailable.' })
  async stakedForge(@Root() user: User, @Ctx() ctx: PaymentsContext): Promise<string> {
    if (!mayReadMoneyOf(ctx.identity, user.id)) throw forbidden("Only the user and admins can see a user's stake");
    const account = await ctx.loaders.accountByUserId.load(user.id);
    return account?.staked.toFixed(0) ?? '0';
  }
}

export function resolveUserReference(reference: Record<string, unknown>): User | null {
  return typeof reference.id === 'string' ? { id: reference.id } : null;
}

import { Arg, Ctx, Field, ID, Mutation, ObjectType, Resolver, registerEnumType } from 'type-graphql';
import { requireUser } from '@supergraph/subgraph';
import { SagaStatus, Tier } from '../generated/prisma/enums';
import type { PaymentsContext } from '../context';
import type { PlanUpgradeView } from '../saga/upgrade-plan';
import type { PaymentView } from '../services/views';
import { Payment } from './payment';

registerEnumType(SagaStatus, {
  name: 'PlanUpgradeStatus',
  description: 'COMPLETED: charged and upgraded. FAILED: the charge did not go through. COMPENSATED: a later step failed; the charge was refunded and the tier restored. RUNNING/COMPENSATING: in progress (recovered automatically).',
});

@ObjectType({ description: 'The outcome of an upgradePlan saga.' })
class PlanUpgrade {
  @Field(() => ID)
  id!: string;

  @Field(() => Tier)
  tier!: Tier;

  @Field(() => SagaStatus)
  status!: SagaStatus;

  @Field(() => Payment)
  payment!: PaymentView;

  @Field(() => String, { nullable: true, description: 'Why the upgrade did not complete.' })
  error!: string | null;
}

@Resolver()
export class PlanResolver {
  @Mutation(() => PlanUpgrade, {
    description: 'Buys a plan: charges the card (price less your stake\'s fee reduction), changes your tier, then confirms. Refunded if a later step fails.',
  })
  upgradePlan(
    @Arg('tier', () => Tier) tier: Tier,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Arg('paymentMethod', () => String, { nullable: true }) paymentMethod: string | null,
    @Ctx() ctx: PaymentsContext,
  ): Promise<PlanUpgradeView> {
    const { userId } = requireUser(ctx.identity, 'write');
    return ctx.services.upgrades.upgradePlan(userId, tier, idempotencyKey, paymentMethod);
  }
}

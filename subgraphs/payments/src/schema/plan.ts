import { Arg, Ctx, Field, ID, Mutation, ObjectType, Resolver, registerEnumType } from 'type-graphql';
import { requireUser } from '@supergraph/subgraph';
import { SagaStatus, Tier } from '../generated/prisma/enums';
import type { PaymentsContext } from '../context';
import type { PlanUpgradeView } from '../saga/upgrade-plan';
import type { NextAction } from '../stripe/gateway';
import type { PaymentView } from '../services/views';
import { Payment } from './payment';
import { PaymentAction } from './payment-action';

registerEnumType(SagaStatus, {
  name: 'PlanUpgradeStatus',
  description:
    'COMPLETED: charged and upgraded. FAILED: the charge did not go through. COMPENSATED: a later step failed; the charge was refunded and the tier restored. ' +
    'RUNNING: in progress — with `nextAction`, waiting for the card holder to authenticate (3-D Secure); the outcome follows on `paymentUpdated`. COMPENSATING: being undone (recovered automatically).',
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

  @Field(() => PaymentAction, {
    nullable: true,
    description:
      'Set while the saga waits for 3-D Secure (status RUNNING, payment PENDING): complete it within UPGRADE_CHARGE_TIMEOUT_SECONDS, or the charge is canceled.',
  })
  nextAction!: NextAction | null;
}

@Resolver()
export class PlanResolver {
  @Mutation(() => PlanUpgrade, {
    description:
      "Buys a plan: charges the card (price less your stake's fee reduction), changes your tier, then confirms. Refunded if a later step fails. " +
      'A card that needs 3-D Secure returns RUNNING with the PENDING payment and `nextAction`; the saga resumes when Stripe reports the authentication.',
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

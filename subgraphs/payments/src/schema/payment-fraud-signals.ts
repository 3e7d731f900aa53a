import { Ctx, Directive, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { PaymentsContext } from '../context';
import type { PayerActivity } from '../data/payer-activity';
import { toMajorUnits } from '../domain/money';
import type { PaymentView } from '../services/views';
import { Payment } from './payment';

/**
 * What the AI subgraph's `Payment.fraudScore` needs from payments (its `@requires`). These are
 * `@inaccessible`: the router fetches them for the score, but they are no part of the public API.
 * They are resolved on a payment the caller may already read, so they reveal nothing more.
 */
@Resolver(() => Payment)
export class PaymentFraudSignalsResolver {
  @Directive('@inaccessible')
  @FieldResolver(() => String, {
    description: 'The amount in major units of `currency` as an exact decimal string ("19.99", FORGE "25"): a model input, not money to compute with.',
  })
  amountInMajorUnits(@Root() payment: PaymentView): string {
    return toMajorUnits(BigInt(payment.amount), payment.currency);
  }

  @Directive('@inaccessible')
  @FieldResolver(() => Int, { description: "The payer's payments created in the 24 hours before this one." })
  async payerPaymentsLast24h(@Root() payment: PaymentView, @Ctx() ctx: PaymentsContext): Promise<number> {
    return (await activityBefore(payment, ctx)).paymentsLast24h;
  }

  @Directive('@inaccessible')
  @FieldResolver(() => Int, { description: "Of the payer's payments in the 24 hours before this one, those that failed." })
  async payerFailedPaymentsLast24h(@Root() payment: PaymentView, @Ctx() ctx: PaymentsContext): Promise<number> {
    return (await activityBefore(payment, ctx)).failedPaymentsLast24h;
  }
}

async function activityBefore(payment: PaymentView, ctx: PaymentsContext): Promise<PayerActivity> {
  const activity = await ctx.loaders.payerActivity.load(payment.id);
  // Payments are never deleted, so the row the payment was read from is there.
  if (!activity) throw new Error(`payment ${payment.id} vanished while its activity was read`);
  return activity;
}

import { Arg, Ctx, Directive, Field, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root, Subscription, registerEnumType } from 'type-graphql';
import { DateTimeISOResolver } from 'graphql-scalars';
import { notFound } from '@supergraph/server';
import { isAdmin } from '@supergraph/identity';
import type { OutboxEnvelope } from '@supergraph/outbox';
import { filterEvents } from '@supergraph/pubsub';
import { requireUser, ResumeAfter, type ResumeArgs } from '@supergraph/subgraph';
import { PaymentMethod, PaymentStatus } from '../generated/prisma/enums';
import { useEventLoaders, type PaymentsContext } from '../context';
import { PAYMENT_UPDATED, type PaymentUpdated } from '../events/payment-events';
import type { PaymentView } from '../services/views';
import type { NextAction } from '../stripe/gateway';
import { isUuid } from '../services/ids';
import { mayReadMoneyOf } from './access';
import { PaymentAction } from './payment-action';
import { User } from './user';

registerEnumType(PaymentMethod, { name: 'PaymentMethod', description: 'FIAT: card through Stripe. TOKEN: a $FORGE transfer to the treasury.' });
registerEnumType(PaymentStatus, {
  name: 'PaymentStatus',
  description:
    'PENDING → SUCCEEDED | FAILED; SUCCEEDED → REFUNDED. FAILED and REFUNDED are final. A card payment whose fraud score reaches the review threshold is held PENDING → REVIEW, uncharged, until an admin releases it (→ PENDING, charged) or rejects it (→ FAILED).',
});

const IDEMPOTENCY_KEY =
  'Unique per intended operation (e.g. a UUID). Retrying with the same key returns the first response; reusing it for another request is refused.';

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A movement of money by a user: a card charge or a $FORGE transfer.' })
export class Payment {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Integer minor units of `currency` as a decimal string (cents; FORGE has 18 decimals). Never a float.' })
  amount!: string;

  @Field(() => String, { description: 'USD, EUR, GBP, JPY or FORGE.' })
  currency!: string;

  @Field(() => PaymentMethod)
  method!: PaymentMethod;

  @Field(() => PaymentStatus)
  status!: PaymentStatus;

  @Field(() => String, { description: '"charge", "stake", or "upgrade:<TIER>".' })
  purpose!: string;

  @Field(() => String, { nullable: true, description: 'Stripe PaymentIntent id, or the transaction hash of a token payment.' })
  providerReference!: string | null;

  @Field(() => String, { nullable: true })
  failureReason!: string | null;

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;
}

@Resolver(() => Payment)
export class PaymentResolver {
  @Query(() => Payment, {
    nullable: true,
    description: "One of your payments; NOT_FOUND for anyone else's.",
  })
  async payment(@Arg('id', () => ID) id: string, @Ctx() ctx: PaymentsContext): Promise<PaymentView> {
    const user = requireUser(ctx.identity);
    const payment = isUuid(id) ? await ctx.loaders.paymentById.load(id) : null;
    if (!payment || !mayReadMoneyOf(user, payment.userId)) throw notFound('Payment');
    return payment;
  }

  @Subscription(() => Payment, {
    description: "Status changes of your payments as they happen (admins: everyone's).",
    subscribe: async ({ args, context }: { args: ResumeArgs; context: PaymentsContext }) => {
      const user = requireUser(context.identity);
      const seesAll = isAdmin(user);
      return filterEvents(
        await context.events.resume<OutboxEnvelope<PaymentUpdated>>(PAYMENT_UPDATED, args.after),
        ({ payload }) => seesAll || payload.userId === user.userId,
      );
    },
  })
  async paymentUpdated(
    @ResumeAfter() _after: string | null,
    @Root() event: OutboxEnvelope<PaymentUpdated>,
    @Ctx() ctx: PaymentsContext,
  ): Promise<PaymentView | null> {
    useEventLoaders(ctx, event);
    const payment = await ctx.loaders.paymentById.load(event.payload.id);
    // Relayed events can trail the payment: report the status this event announced.
    return payment && { ...payment, status: event.payload.status as PaymentStatus };
  }

  // Nullable: every field of the payer but its id comes from the users subgraph; its outage nulls the payer, not the payment.
  @FieldResolver(() => User, { nullable: true, description: 'The payer. Null while the users subgraph is unavailable, when more than its id is asked.' })
  user(@Root() payment: PaymentView): User {
    return { id: payment.userId };
  }

  @FieldResolver(() => PaymentAction, {
    nullable: true,
    description:
      'Your PENDING card payment that waits for you to authenticate (3-D Secure): what to do with Stripe.js. The outcome follows on paymentUpdated. Null otherwise, and for anyone but the payer.',
  })
  async nextAction(@Root() payment: PaymentView, @Ctx() ctx: PaymentsContext): Promise<NextAction | null> {
    if (ctx.identity.kind !== 'user' || ctx.identity.userId !== payment.userId) return null;
    return ctx.services.payments.nextActionOf(payment);
  }

  @Mutation(() => Payment, {
    description:
      'Charges a card through Stripe. SUCCEEDED or FAILED when Stripe answers at once; PENDING until its webhook otherwise; REVIEW, uncharged, when its fraud score holds it for an admin.',
  })
  createPayment(
    @Arg('amount', () => String, { description: 'Integer minor units, e.g. "1999" for 19.99 USD.' }) amount: string,
    @Arg('currency', () => String) currency: string,
    @Arg('idempotencyKey', () => String, { description: IDEMPOTENCY_KEY }) idempotencyKey: string,
    @Arg('paymentMethod', () => String, { nullable: true, description: 'A Stripe PaymentMethod id (default pm_card_visa, a test card).' })
    paymentMethod: string | null,
    @Arg('returnUrl', () => String, {
      nullable: true,
      description:
        "Where the card holder comes back after authenticating (3-D Secure) on the card issuer's page: `nextAction` is then `redirect_to_url` with its `redirectUrl`, and no Stripe.js is needed.",
    })
    returnUrl: string | null,
    @Ctx() ctx: PaymentsContext,
  ): Promise<PaymentView> {
    const { userId } = requireUser(ctx.identity, 'write');
    return ctx.services.payments.createFiatPayment(userId, { amount, currency, paymentMethod, returnUrl }, idempotencyKey);
  }

  @Mutation(() => Payment, {
    description: 'Pays in $FORGE with a transfer you made to the treasury. SUCCEEDED only once the chain shows it with enough confirmations.',
  })
  payWithToken(
    @Arg('amount', () => String, { description: 'FORGE base units (18 decimals).' }) amount: string,
    @Arg('txHash', () => String) txHash: string,
    @Arg('idempotencyKey', () => String, { description: IDEMPOTENCY_KEY }) idempotencyKey: string,
    @Ctx() ctx: PaymentsContext,
  ): Promise<PaymentView> {
    const { userId } = requireUser(ctx.identity, 'write');
    return ctx.services.payments.payWithToken(userId, { amount, txHash }, idempotencyKey);
  }

  @Mutation(() => Payment, { description: 'Refunds one of your SUCCEEDED card payments in full.' })
  refundPayment(
    @Arg('id', () => ID) id: string,
    @Arg('idempotencyKey', () => String, { description: IDEMPOTENCY_KEY }) idempotencyKey: string,
    @Ctx() ctx: PaymentsContext,
  ): Promise<PaymentView> {
    const { userId } = requireUser(ctx.identity, 'write');
    return ctx.services.payments.refundPayment(userId, id, idempotencyKey);
  }
}

export async function resolvePaymentReference(reference: Record<string, unknown>, ctx: PaymentsContext): Promise<PaymentView | null> {
  const id = reference.id;
  if (typeof id !== 'string' || !isUuid(id)) return null;
  const payment = await ctx.loaders.paymentById.load(id);
  return payment && mayReadMoneyOf(ctx.identity, payment.userId) ? payment : null;
}

import { Arg, Ctx, Field, FieldResolver, Float, ID, Int, Mutation, ObjectType, Query, Resolver, Root, registerEnumType } from 'type-graphql';
import { DateTimeISOResolver } from 'graphql-scalars';
import { isAdmin } from '@supergraph/identity';
import { requireAdmin } from '@supergraph/subgraph';
import { ReviewDecision } from '../generated/prisma/enums';
import type { PaymentReview as PaymentReviewRow } from '../generated/prisma/client';
import type { PaymentsContext } from '../context';
import type { PaymentView } from '../services/views';
import { Payment } from './payment';

registerEnumType(ReviewDecision, { name: 'ReviewDecision', description: 'RELEASED: charged after review. REJECTED: failed, never charged.' });

@ObjectType({ description: 'Why a card payment was held before its charge, and what an admin decided.' })
class PaymentReview {
  @Field(() => Float, { nullable: true, description: "The AI subgraph's fraud score when it was held; null when no score could be had." })
  riskScore!: number | null;

  @Field(() => String, { description: 'The score against the threshold and the features behind it, or why no score could be had.' })
  reason!: string;

  @Field(() => ReviewDecision, { nullable: true, description: 'Null while it waits for a decision.' })
  decision!: ReviewDecision | null;

  @Field(() => DateTimeISOResolver, { nullable: true })
  decidedAt!: Date | null;

  @Field(() => DateTimeISOResolver)
  heldAt!: Date;
}

function reviewView(row: PaymentReviewRow): PaymentReview {
  return { riskScore: row.riskScore, reason: row.reason, decision: row.decision, decidedAt: row.decidedAt, heldAt: row.createdAt };
}

@Resolver(() => Payment)
export class PaymentReviewResolver {
  @FieldResolver(() => PaymentReview, { nullable: true, description: 'Admins only (null for anyone else): the review, when the payment was held for one.' })
  async review(@Root() payment: PaymentView, @Ctx() ctx: PaymentsContext): Promise<PaymentReview | null> {
    if (!isAdmin(ctx.identity)) return null;
    const row = await ctx.loaders.reviewByPaymentId.load(payment.id);
    return row && reviewView(row);
  }

  @Query(() => [Payment], {
    nullable: true,
    description: 'Admins only: payments held for review and not decided yet, oldest first.',
  })
  paymentsInReview(@Arg('first', () => Int, { defaultValue: 20, description: '1–100.' }) first: number, @Ctx() ctx: PaymentsContext): Promise<PaymentView[]> {
    requireAdmin(ctx.identity);
    return ctx.services.reviews.pending(first);
  }

  @Mutation(() => Payment, {
    description:
      'Admins only: charges a payment held in REVIEW (SUCCEEDED or FAILED as the card answers; PENDING while its holder authenticates). Asking again charges nothing twice; a rejected payment cannot be released (INVALID_PAYMENT_TRANSITION).',
  })
  releasePayment(@Arg('id', () => ID) id: string, @Ctx() ctx: PaymentsContext): Promise<PaymentView> {
    const admin = requireAdmin(ctx.identity);
    return ctx.services.reviews.release(admin.userId, id);
  }

  @Mutation(() => Payment, {
    description: `Admins only: fails a payment held in REVIEW (failureReason "rejected_in_review"); nothing is charged. A released payment cannot be rejected (INVALID_PAYMENT_TRANSITION).`,
  })
  rejectPayment(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { nullable: true, description: 'Kept in the payment log; up to 500 characters.' }) reason: string | null,
    @Ctx() ctx: PaymentsContext,
  ): Promise<PaymentView> {
    const admin = requireAdmin(ctx.identity);
    return ctx.services.reviews.reject(admin.userId, id, reason);
  }
}

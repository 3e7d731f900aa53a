import type { Payment as PaymentRow, PrismaClient } from '../generated/prisma/client';
import { toMajorUnits } from '../domain/money';
import { payerActivityBefore } from './payer-activity';
import { callService } from '@supergraph/subgraph';

/** What the screen says about a payment before it is charged. */
export interface FraudVerdict {
  /** The AI subgraph's fraud score (0..1, about 0.5 for ordinary payments). */
  score: number;
  /** The features the model found unusual, and its version: why a held payment was held. */
  explanation: string;
}

/** Asks for a payment's fraud score; throws when it cannot be had (the caller holds the payment then). */
export interface FraudScreen {
  score(payment: PaymentRow): Promise<FraudVerdict>;
}

export interface HttpFraudScreenOptions {
  /** The AI subgraph, which scores payments (`Payment.fraudScore`). */
  aiUrl: string;
  /** The users subgraph, which knows when the payer's account was created (a model input). */
  usersUrl: string;
  signingSecret: string;
  prisma: PrismaClient;
  /** Per call; default 5 s. A payment waits for its score, so this bounds how long createPayment may take longer. */
  timeoutMs?: number;
}

type Entities<T> = { _entities: (T | null)[] };
type Scored = { fraudScore: { score: number; reasons: { feature: string }[]; modelVersion: string } | null };

/**
 * Builds the representation the router would build for `Payment.fraudScore` (its `@requires`): the
 * same fields, from the same owners — amount and payer activity from our database, the payer's
 * account age from the users subgraph — and asks the AI subgraph's `_entities` directly with a
 * signed SERVICE identity, the way payments calls every other subgraph.
 */
export class HttpFraudScreen implements FraudScreen {
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpFraudScreenOptions) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  async score(payment: PaymentRow): Promise<FraudVerdict> {
    const [payerCreatedAt, [activity]] = await Promise.all([this.payerCreatedAt(payment.userId), payerActivityBefore(this.options.prisma, [payment.id])]);
    if (!activity) throw new Error(`payment ${payment.id} is not in the database`);
    const representation = {
      __typename: 'Payment',
      id: payment.id,
      amountInMajorUnits: toMajorUnits(BigInt(payment.amount.toFixed(0)), payment.currency),
      createdAt: payment.createdAt.toISOString(),
      payerPaymentsLast24h: activity.paymentsLast24h,
      payerFailedPaymentsLast24h: activity.failedPaymentsLast24h,
      user: { createdAt: payerCreatedAt },
    };
    const data = await this.call<Entities<Scored>>(
      'ai',
      this.options.aiUrl,
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Payment { fraudScore { score reasons { feature } modelVersion } } } }',
      { representations: [representation] },
    );
    const fraudScore = data._entities[0]?.fraudScore;
    if (!fraudScore) throw new Error(`the AI subgraph returned no fraud score for payment ${payment.id}`);
    const features = fraudScore.reasons.map((reason) => reason.feature).join(', ') || 'no single feature';
    return { score: fraudScore.score, explanation: `${fraudScore.modelVersion}: ${features}` };
  }

  private async payerCreatedAt(userId: string): Promise<string> {
    const data = await this.call<Entities<{ createdAt: string }>>(
      'users',
      this.options.usersUrl,
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { createdAt } } }',
      { representations: [{ __typename: 'User', id: userId }] },
    );
    const createdAt = data._entities[0]?.createdAt;
    if (!createdAt) throw new Error(`the users subgraph does not know user ${userId}`);
    return createdAt;
  }

  private call<T>(name: string, url: string, query: string, variables: Record<string, unknown>): Promise<T> {
    return callService<T>({ url, signingSecret: this.options.signingSecret, timeoutMs: this.timeoutMs, name }, query, variables);
  }
}

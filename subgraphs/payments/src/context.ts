import type { PaymentsServiceConfig } from '@supergraph/config';
import type { EventBus } from '@supergraph/pubsub';
import { eventLoaders, type RequestBase } from '@supergraph/subgraph';
import type { PrismaClient } from './generated/prisma/client';
import { createLoaders, type PaymentsLoaders } from './data/loaders';
import type { PaymentsService } from './services/payments';
import type { PaymentReviews } from './services/reviews';
import type { StakingService } from './services/staking';
import type { UpgradePlanSaga } from './saga/upgrade-plan';

/** What payments is made of, built once in app.ts (tests build it with test doubles where allowed). */
export interface PaymentsServices {
  payments: PaymentsService;
  staking: StakingService;
  upgrades: UpgradePlanSaga;
  reviews: PaymentReviews;
}

export interface PaymentsContext extends RequestBase {
  prisma: PrismaClient;
  loaders: PaymentsLoaders;
  config: PaymentsServiceConfig;
  services: PaymentsServices;
  /** Events relayed from the outbox after commit: what subscriptions listen to. */
  events: EventBus;
}

export function createPaymentsContext(
  base: RequestBase,
  prisma: PrismaClient,
  config: PaymentsServiceConfig,
  services: PaymentsServices,
  events: EventBus,
): PaymentsContext {
  return { ...base, prisma, config, services, events, loaders: createLoaders(prisma) };
}

const loadersOfEvent = eventLoaders<PaymentsLoaders>();

/**
 * Points a subscription at the loaders of the event it is resolving, shared with every other
 * subscription receiving it (see eventLoaders): one `paymentUpdated` costs one query per loader
 * however many watch it. Shareable because they hold data, not permissions: every loader reads by
 * payment or user id, and money is shown only where `subscribe` or the field resolvers checked
 * `mayReadMoneyOf`.
 */
export function useEventLoaders(ctx: PaymentsContext, event: object): void {
  ctx.loaders = loadersOfEvent(event, ctx.prisma, () => createLoaders(ctx.prisma));
}

import type { OutboxEnvelope } from '@supergraph/outbox';
import { consumeEvents, type Consuming, type EventBus } from '@supergraph/pubsub';
import type { Logger } from '@supergraph/server';
import { PAYOUT_CONFIRMED, type PayoutConfirmed } from '../events/payment-events';
import type { StakingService } from '../services/staking';

/**
 * Marks unstakes PAID promptly as the blockchain subgraph reports their payouts confirmed: each
 * report makes payments ask it about that entry (the report's own fields are not trusted).
 * `StakingService.reconcilePayouts` catches up on a report that never arrived. A repeat changes nothing.
 */
export function consumePayoutConfirmations(bus: EventBus, staking: StakingService, logger: Logger): Consuming {
  return consumeEvents<OutboxEnvelope<PayoutConfirmed>>(bus, PAYOUT_CONFIRMED, {
    handle: ({ payload }) => staking.checkPayout(payload.entryId),
    onError: ({ payload }, error) => logger.warn('could not record a confirmed payout', { entryId: payload.entryId, error: String(error) }),
  });
}

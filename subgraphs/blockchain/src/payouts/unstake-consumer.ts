import type { OutboxEnvelope } from '@supergraph/outbox';
import { consumeEvents, type EventBus } from '@supergraph/pubsub';
import type { Logger } from '@supergraph/server';
import { UNSTAKE_REQUESTED, type UnstakeRequested } from '../events/payout-events';
import { parseAddress, parseAmount } from '../schema/inputs';
import type { PayoutService } from './payout-service';

/**
 * The fast path of an unstake payout: payments' outbox event. Pub/sub is at most once, so this is
 * not the only path — payments calls `requestPayout` until the payout is CONFIRMED — and a
 * repeated event is harmless: the payout is recorded once per entry id.
 */
export function consumeUnstakeRequests(bus: EventBus, payouts: PayoutService, logger: Logger): { stop(): Promise<void> } {
  return consumeEvents<OutboxEnvelope<UnstakeRequested>>(
    bus,
    UNSTAKE_REQUESTED,
    ({ payload }) => payouts.request({ entryId: String(payload.entryId), to: parseAddress(payload.to, 'to'), amount: parseAmount(payload.amount) }),
    ({ payload }, error) => logger.warn('could not record an unstake payout', { entryId: payload.entryId, error: error instanceof Error ? error.message : String(error) }),
  );
}

import { consumeEvents, type Consuming, type EventBus } from '@supergraph/pubsub';
import type { Logger } from '@supergraph/server';
import type { PaymentsService } from '../services/payments';
import type { TokenTransfer } from './chain-watcher';

/** Published by the blockchain subgraph for each $FORGE Transfer, again at each status change. */
export const TOKEN_TRANSFER = 'blockchain.tokenTransfer';

/**
 * Settles token payments promptly as the blockchain subgraph announces their transfers: each
 * event makes payments ask the chain watcher about that transaction (the event's own fields are
 * not trusted). One published while the bus was cut off is read back from its log; one the log no
 * longer holds is caught up by the next event for that transfer, or by the periodic re-check of
 * PENDING token payments. Applying an event twice is harmless: a settled payment does not change.
 */
export function consumeTokenTransfers(bus: EventBus, payments: PaymentsService, logger: Logger): Consuming {
  return consumeEvents<TokenTransfer>(bus, TOKEN_TRANSFER, {
    handle: (transfer) => payments.onTokenTransfer(transfer),
    onError: (transfer, error) => logger.warn('could not apply a token transfer', { txHash: transfer.txHash, error: String(error) }),
  });
}

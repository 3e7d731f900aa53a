import { ACCOUNT_UPDATED, type AccountUpdated } from '@supergraph/identity';
import type { EventBus } from '@supergraph/pubsub';

export { ACCOUNT_UPDATED, type AccountUpdated };

export async function publishAccountUpdated(events: EventBus, event: AccountUpdated): Promise<void> {
  await events.publish(ACCOUNT_UPDATED, event);
}

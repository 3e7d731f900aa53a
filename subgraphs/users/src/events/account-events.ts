import type { EventBus } from '@supergraph/pubsub';

/** Published after a change to an account (tier, roles, wallets) has been committed. */
export const ACCOUNT_UPDATED = 'users.accountUpdated';

export interface AccountUpdated {
  userId: string;
  change: 'tier' | 'roles' | 'wallets';
}

export async function publishAccountUpdated(events: EventBus, event: AccountUpdated): Promise<void> {
  await events.publish(ACCOUNT_UPDATED, event);
}

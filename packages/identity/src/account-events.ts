/**
 * The event the users subgraph publishes after a change to an account (tier, roles, wallets) has
 * been committed: the payload of the outbox envelope (`OutboxEnvelope<AccountUpdated>`, see
 * packages/outbox) its relay publishes on `ACCOUNT_UPDATED`. Shared here because more than the
 * users subgraph acts on it: the router forgets the caller's tier it knew (current-tiers.ts), so
 * the next request is served at the new one.
 */
export const ACCOUNT_UPDATED = 'users.accountUpdated';

export interface AccountUpdated {
  userId: string;
  change: 'tier' | 'roles' | 'wallets';
}

import { isAdmin, type Identity } from '@supergraph/identity';

/** Money is private: a user's payments and stake are visible to that user, admins and services only. */
export function mayReadMoneyOf(identity: Identity, userId: string): boolean {
  return (identity.kind === 'user' && identity.userId === userId) || identity.kind === 'service' || isAdmin(identity);
}

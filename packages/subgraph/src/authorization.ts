import { hasScope, isAdmin, type Identity } from '@supergraph/identity';
import { forbidden, unauthenticated } from '@supergraph/server';

export type SignedInUser = Extract<Identity, { kind: 'user' }>;

/** The signed-in user, or an UNAUTHENTICATED error. API keys must also carry `scope`. */
export function requireUser(identity: Identity, scope: 'read' | 'write' = 'read'): SignedInUser {
  if (identity.kind !== 'user') throw unauthenticated();
  if (!hasScope(identity, scope)) throw forbidden(`This API key lacks the "${scope}" scope`);
  return identity;
}

/** Internal fields other services call with a signed SERVICE identity; people (admins too) get FORBIDDEN. */
export function requireService(identity: Identity): void {
  if (identity.kind !== 'service') throw forbidden('Only platform services may call this');
}

export function requireAdmin(identity: Identity): SignedInUser {
  const user = requireUser(identity, 'read');
  if (!isAdmin(user)) throw forbidden('Only administrators may do this');
  return user;
}

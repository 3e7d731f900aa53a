/**
 * Who is making a request, as the router established it. The router authenticates once (JWT or
 * API key) and every subgraph trusts this value only because the router signed it.
 */
export type Role = 'USER' | 'ADMIN';
export type Tier = 'FREE' | 'PRO' | 'ENTERPRISE';

export type Identity =
  | { kind: 'anonymous' }
  /** A person, signed in with a token or acting through one of their API keys. */
  | { kind: 'user'; userId: string; roles: Role[]; tier: Tier; scopes: string[]; via: 'jwt' | 'apiKey' }
  /** The router itself, for internal calls such as resolving an API key. */
  | { kind: 'service' };

export const ANONYMOUS: Identity = Object.freeze({ kind: 'anonymous' });
export const SERVICE: Identity = Object.freeze({ kind: 'service' });

/** API keys carry scopes; tokens from a sign-in act with the user's full rights. */
export const FULL_ACCESS_SCOPE = '*';

export function isAdmin(identity: Identity): boolean {
  return identity.kind === 'user' && identity.roles.includes('ADMIN') && hasScope(identity, 'admin');
}

export function hasScope(identity: Identity, scope: string): boolean {
  return identity.kind === 'user' && (identity.scopes.includes(FULL_ACCESS_SCOPE) || identity.scopes.includes(scope));
}

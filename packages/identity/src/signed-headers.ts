import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Identity } from './identity';

/**
 * The router → subgraph identity protocol. Subgraphs are reachable on the network, so they must
 * not believe an identity header on its own: the router signs it with a secret only it and the
 * subgraphs share, and adds an expiry so a captured header cannot be replayed for long.
 *
 *   x-supergraph-identity:  base64url(JSON { ...identity, exp })   exp in unix seconds
 *   x-supergraph-signature: v1=<hex HMAC-SHA256(secret, identity header value)>
 *
 * The Python subgraph implements the same two headers (subgraphs/ai).
 */
export const IDENTITY_HEADER = 'x-supergraph-identity';
export const SIGNATURE_HEADER = 'x-supergraph-signature';
const SIGNATURE_VERSION = 'v1=';
const DEFAULT_TTL_SECONDS = 60;

export type SignedIdentityHeaders = Record<typeof IDENTITY_HEADER | typeof SIGNATURE_HEADER, string>;

export function signIdentity(
  identity: Identity,
  secret: string,
  now: number = Date.now(),
  ttlSeconds: number = DEFAULT_TTL_SECONDS,
): SignedIdentityHeaders {
  const exp = Math.floor(now / 1000) + ttlSeconds;
  const value = Buffer.from(JSON.stringify({ ...identity, exp })).toString('base64url');
  return { [IDENTITY_HEADER]: value, [SIGNATURE_HEADER]: SIGNATURE_VERSION + hmac(secret, value) };
}

export class IdentityVerificationError extends Error {}

/** Returns the identity the router vouched for, or throws saying why it cannot be trusted. */
export function verifyIdentity(
  identityHeader: string | undefined,
  signatureHeader: string | undefined,
  secret: string,
  now: number = Date.now(),
): Identity {
  if (!identityHeader || !signatureHeader) {
    throw new IdentityVerificationError('Request was not signed by the router');
  }
  if (!signatureHeader.startsWith(SIGNATURE_VERSION)) {
    throw new IdentityVerificationError('Unsupported router signature version');
  }
  const expected = Buffer.from(hmac(secret, identityHeader), 'hex');
  const given = Buffer.from(signatureHeader.slice(SIGNATURE_VERSION.length), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new IdentityVerificationError('Router signature does not match');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(identityHeader, 'base64url').toString('utf8'));
  } catch {
    throw new IdentityVerificationError('Identity header is not valid JSON');
  }
  const { exp, ...identity } = payload as Identity & { exp?: unknown };
  if (typeof exp !== 'number' || exp * 1000 < now) {
    throw new IdentityVerificationError('Router signature has expired');
  }
  if (!isIdentity(identity)) throw new IdentityVerificationError('Identity header has an unknown shape');
  return identity;
}

function hmac(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('hex');
}

function isIdentity(value: unknown): value is Identity {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  if (kind === 'anonymous' || kind === 'service') return true;
  if (kind !== 'user') return false;
  const user = value as Record<string, unknown>;
  return (
    typeof user.userId === 'string' &&
    Array.isArray(user.roles) &&
    typeof user.tier === 'string' &&
    Array.isArray(user.scopes) &&
    (user.via === 'jwt' || user.via === 'apiKey')
  );
}

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

export function signIdentity(identity: Identity, secret: string, now: number = Date.now(), ttlSeconds: number = DEFAULT_TTL_SECONDS): SignedIdentityHeaders {
  const exp = Math.floor(now / 1000) + ttlSeconds;
  const value = Buffer.from(JSON.stringify({ ...identity, exp })).toString('base64url');
  return { [IDENTITY_HEADER]: value, [SIGNATURE_HEADER]: SIGNATURE_VERSION + hmac(secret, value) };
}

export class IdentityVerificationError extends Error {}

/** Returns the identity the router vouched for, or throws saying why it cannot be trusted. */
export function verifyIdentity(identityHeader: string | undefined, signatureHeader: string | undefined, secret: string, now: number = Date.now()): Identity {
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

/**
 * Signs each identity once per half its lifetime instead of once per request: the router sends
 * the same few identities over and over, and an HMAC per request is measurable on its hot path.
 * Stable headers also let identical subgraph fetches of one caller share a round trip.
 */
export class IdentitySigner {
  private readonly signed = new Map<string, { headers: SignedIdentityHeaders; renewAt: number }>();

  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number = DEFAULT_TTL_SECONDS,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  sign(identity: Identity): SignedIdentityHeaders {
    const key = JSON.stringify(identity);
    const now = this.now();
    const cached = this.signed.get(key);
    if (cached && cached.renewAt > now) return cached.headers;
    const headers = signIdentity(identity, this.secret, now, this.ttlSeconds);
    // Renewed at half-life, so a header is never sent with less than half its lifetime left.
    if (this.signed.size >= this.maxEntries) this.signed.clear();
    this.signed.set(key, { headers, renewAt: now + (this.ttlSeconds * 1000) / 2 });
    return headers;
  }
}

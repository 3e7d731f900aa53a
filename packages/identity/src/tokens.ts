import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { Identity, Role, Tier } from './identity';

/**
 * Access tokens: issued by the users subgraph at sign-in, verified by the router. Both sides use
 * this module so they always agree on algorithm, issuer, audience and claims.
 */
export interface TokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

const ALGORITHM = 'HS256';

export interface TokenSubject {
  userId: string;
  roles: Role[];
  tier: Tier;
}

export async function issueAccessToken(subject: TokenSubject, settings: TokenSettings): Promise<{ token: string; expiresAt: Date }> {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + settings.ttlSeconds;
  const token = await new SignJWT({ roles: subject.roles, tier: subject.tier })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(subject.userId)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(secretKey(settings.secret));
  return { token, expiresAt: new Date(exp * 1000) };
}

/** Why a token was refused; the message is safe to show to the caller. */
export class TokenRejectedError extends Error {}

export async function verifyAccessToken(token: string, settings: TokenSettings): Promise<Identity> {
  try {
    // Pinning the algorithm list is what refuses `alg: none` and algorithm-confusion tokens.
    const { payload } = await jwtVerify(token, secretKey(settings.secret), {
      algorithms: [ALGORITHM],
      issuer: settings.issuer,
      audience: settings.audience,
      requiredClaims: ['sub', 'exp'],
    });
    const roles = payload.roles;
    const tier = payload.tier;
    if (!Array.isArray(roles) || typeof tier !== 'string' || typeof payload.sub !== 'string') {
      throw new TokenRejectedError('Access token is missing its roles or tier');
    }
    return { kind: 'user', userId: payload.sub, roles: roles as Role[], tier: tier as Tier, scopes: ['*'], via: 'jwt' };
  } catch (error) {
    throw new TokenRejectedError(describeRejection(error));
  }
}

function describeRejection(error: unknown): string {
  if (error instanceof TokenRejectedError) return error.message;
  if (error instanceof joseErrors.JWTExpired) return 'Access token has expired';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'Access token uses an algorithm that is not accepted';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'Access token signature is invalid';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `Access token claim "${error.claim}" is invalid`;
  return 'Access token is malformed';
}

const keys = new Map<string, Uint8Array>();
function secretKey(secret: string): Uint8Array {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = new TextEncoder().encode(secret)));
  return key;
}

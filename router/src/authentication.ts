import type { IncomingMessage } from 'node:http';
import { ANONYMOUS, TokenRejectedError, verifyAccessToken, type Identity, type TokenSettings } from '@supergraph/identity';
import { unauthenticated } from '@supergraph/server';
import type { ApiKeyVerifier } from './api-keys';

const API_KEY_PREFIX = 'sgk_';

/**
 * Establishes who is calling, once per request: a bearer JWT, or an API key (as a bearer token
 * or in `x-api-key`), or nobody. A credential that is present but bad is an error, never a
 * silent fall-back to anonymous.
 */
export async function authenticate(request: Pick<IncomingMessage, 'headers'>, tokens: TokenSettings, apiKeys: ApiKeyVerifier): Promise<Identity> {
  const credential = credentialOf(request);
  if (!credential) return ANONYMOUS;
  if (credential.startsWith(API_KEY_PREFIX)) {
    const identity = await apiKeys.verify(credential);
    if (!identity) throw unauthenticated('API key is unknown or revoked');
    return identity;
  }
  try {
    return await verifyAccessToken(credential, tokens);
  } catch (error) {
    if (error instanceof TokenRejectedError) throw unauthenticated(error.message);
    throw error;
  }
}

function credentialOf(request: Pick<IncomingMessage, 'headers'>): string | undefined {
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0) return apiKey;
  const authorization = request.headers.authorization;
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) throw unauthenticated('Authorization header must be "Bearer <token>"');
  return match[1];
}

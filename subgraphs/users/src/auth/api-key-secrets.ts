import { createHash, randomBytes } from 'node:crypto';

/**
 * API key secrets look like `sgk_<43 url-safe characters>`: 256 random bits, recognisable in
 * logs and secret scanners by the prefix. Only a sha256 of the secret is stored; a fast hash is
 * right here because the secret has full entropy (unlike a password).
 */
export const API_KEY_PREFIX = 'sgk_';
export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export function generateApiKeySecret(): { secret: string; prefix: string; secretHash: string } {
  const secret = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { secret, prefix: secret.slice(0, API_KEY_PREFIX.length + 6), secretHash: hashApiKeySecret(secret) };
}

export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(API_KEY_PREFIX);
}

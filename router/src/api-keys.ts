import type { Identity, Role, Tier } from '@supergraph/identity';
import { BoundedCache } from './bounded-cache';
import { askUsers } from './users-service';

/**
 * Resolves an API key to its owner by asking the users subgraph (which alone holds the hashed
 * keys). Answers are cached briefly so a busy key costs one lookup per interval; a revoked key
 * therefore keeps working for at most `cacheMs`.
 */
export class ApiKeyVerifier {
  private readonly cache = new BoundedCache<string, { identity: Identity | null; until: number }>({ maxEntries: 10_000 });

  constructor(
    private readonly usersUrl: () => string,
    private readonly signingSecret: string,
    private readonly cacheMs: number,
  ) {}

  async verify(secret: string): Promise<Identity | null> {
    const now = Date.now();
    const cached = this.cache.get(secret);
    if (cached && cached.until > now) return cached.identity;
    const identity = await this.lookup(secret);
    this.cache.set(secret, { identity, until: now + this.cacheMs });
    return identity;
  }

  private async lookup(secret: string): Promise<Identity | null> {
    const { apiKeyPrincipal: principal } = await askUsers<{ apiKeyPrincipal: { userId: string; roles: Role[]; tier: Tier; scopes: string[] } | null }>(
      this.usersUrl(),
      this.signingSecret,
      'query ($secret: String!) { apiKeyPrincipal(secret: $secret) { userId roles tier scopes } }',
      { secret },
    );
    return principal && { kind: 'user', ...principal, via: 'apiKey' };
  }
}

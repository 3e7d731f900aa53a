import { SERVICE, signIdentity } from '@supergraph/identity';
import type { Tier } from '../generated/prisma/enums';

/**
 * The users subgraph, as payments needs it: set a user's tier (the saga's and staking's step) and
 * read their linked wallets (who may pay with a transfer). Called directly, not through the
 * router, with a signed SERVICE identity.
 */
export interface UsersClient {
  setUserTier(userId: string, tier: Tier): Promise<void>;
  walletAddresses(userId: string): Promise<string[]>;
}

export class HttpUsersClient implements UsersClient {
  constructor(
    private readonly url: string,
    private readonly signingSecret: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async setUserTier(userId: string, tier: Tier): Promise<void> {
    await this.call('mutation ($userId: ID!, $tier: Tier!) { setUserTier(userId: $userId, tier: $tier) { id tier } }', { userId, tier });
  }

  async walletAddresses(userId: string): Promise<string[]> {
    const data = await this.call<{ _entities: ({ walletAddresses: string[] } | null)[] }>(
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { walletAddresses } } }',
      { representations: [{ __typename: 'User', id: userId }] },
    );
    return data._entities[0]?.walletAddresses ?? [];
  }

  private async call<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signIdentity(SERVICE, this.signingSecret) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    if (body.errors?.length || !body.data) {
      const first = body.errors?.[0];
      throw new Error(`users subgraph refused (${first?.extensions?.code ?? response.status}): ${first?.message ?? 'no data'}`);
    }
    return body.data;
  }
}

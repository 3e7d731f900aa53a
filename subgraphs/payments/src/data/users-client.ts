import type { Tier } from '../generated/prisma/enums';
import { callService } from '@supergraph/subgraph';

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

  private call<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    return callService<T>({ url: this.url, signingSecret: this.signingSecret, timeoutMs: this.timeoutMs, name: 'users' }, query, variables);
  }
}

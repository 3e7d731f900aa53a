import { ACCOUNT_UPDATED, type AccountUpdated, type Identity, type Tier } from '@supergraph/identity';
import type { OutboxEnvelope } from '@supergraph/outbox';
import { consumeEvents, type Consuming, type EventBus } from '@supergraph/pubsub';
import type { Logger } from '@supergraph/server';
import { BoundedCache } from './bounded-cache';
import { askUsers } from './users-service';

export interface CurrentTierOptions {
  /** TIER_CACHE_MS: how long a tier read from the users subgraph is used while no change is heard of. Default 30000. */
  cacheMs?: number;
  /** How long a read may take before the request goes on at its credential's tier. Default 1000. */
  lookupTimeoutMs?: number;
  /** After a failed read, how long requests go on at their credential's tier before the users subgraph is asked again. Default 5000. */
  failureBackoffMs?: number;
}

/** Reads a user's tier where it is kept (the users subgraph); undefined when it has no such user. */
export type TierLookup = (userId: string, timeoutMs: number) => Promise<Tier | undefined>;

const USER_TIER = 'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { tier } } }';

/** Reads a user's tier from the users subgraph at `usersUrl()`, as the router's SERVICE identity. */
export function usersTierLookup(usersUrl: () => string, signingSecret: string): TierLookup {
  return async (userId, timeoutMs) => {
    const representations = [{ __typename: 'User', id: userId }];
    const { _entities } = await askUsers<{ _entities: ({ tier?: Tier } | null)[] }>(usersUrl(), signingSecret, USER_TIER, { representations }, timeoutMs);
    return _entities[0]?.tier;
  };
}

/**
 * The tier a user is on now, for every request: a stake, an unstake or a plan upgrade changes it in
 * the users subgraph, while the access token (or a cached API key) still carries the tier it was
 * issued with. The router forwards the current one in the signed identity, so rate limits and task
 * priority follow it at the next request, without a new sign-in and without longer-lived tokens.
 *
 * A tier read once is kept for `cacheMs`; the users subgraph's `users.accountUpdated` event, which its
 * outbox publishes after each committed change (at least once, also when Redis was away at the time),
 * makes the router forget it, so the next request reads it again. One published while the router's
 * own connection to Redis was cut is read back from the event log; when the log cannot give it back,
 * the router forgets every tier it knows.
 * While the users subgraph cannot answer, requests go on at their credential's tier.
 */
export class CurrentTiers {
  private readonly known = new BoundedCache<string, { tier: Tier | undefined; until: number }>({ maxEntries: 100_000 });
  /** Reads in flight, one per user; a change heard meanwhile drops its entry so a read that began before it is not kept. */
  private readonly reading = new Map<string, Promise<Tier | undefined>>();
  private readonly listening?: Consuming;
  private readonly cacheMs: number;
  private readonly lookupTimeoutMs: number;
  private readonly failureBackoffMs: number;
  private warnedAt = 0;

  constructor(
    private readonly lookup: TierLookup,
    events: EventBus | undefined,
    private readonly logger: Logger,
    options: CurrentTierOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? 30_000;
    this.lookupTimeoutMs = options.lookupTimeoutMs ?? 1_000;
    this.failureBackoffMs = options.failureBackoffMs ?? 5_000;
    this.listening =
      events &&
      consumeEvents<OutboxEnvelope<AccountUpdated>>(events, ACCOUNT_UPDATED, {
        handle: async ({ payload }) => this.forget(payload.userId),
        onError: (_event, error) => logger.warn('could not act on an account change', { error: String(error) }),
        onGap: () => {
          // Any tier known may have changed unheard: each is read again at its user's next request.
          this.known.clear();
          this.reading.clear();
          logger.info('account changes may have gone unheard while the event bus was away: current tiers are read again');
        },
      });
  }

  /** `identity` at the tier its user is on now (the same object when that is the tier it carries). */
  current(identity: Identity): Identity | Promise<Identity> {
    if (identity.kind !== 'user') return identity;
    const tier = this.tierOf(identity.userId);
    return tier instanceof Promise ? tier.then((now) => withTier(identity, now)) : withTier(identity, tier);
  }

  /** Forgets what is known of a user's tier: the next request reads it again. */
  forget(userId: string): void {
    this.known.delete(userId);
    this.reading.delete(userId);
  }

  async close(): Promise<void> {
    await this.listening?.stop();
  }

  private tierOf(userId: string): Tier | undefined | Promise<Tier | undefined> {
    const known = this.known.get(userId);
    if (known && known.until > Date.now()) return known.tier;
    const inFlight = this.reading.get(userId);
    if (inFlight) return inFlight;
    const read: Promise<Tier | undefined> = this.lookup(userId, this.lookupTimeoutMs).then(
      (tier) => this.keep(userId, read, tier, this.cacheMs),
      (error: unknown) => {
        this.warnOnce(error);
        return this.keep(userId, read, undefined, this.failureBackoffMs);
      },
    );
    this.reading.set(userId, read);
    return read;
  }

  private keep(userId: string, read: Promise<Tier | undefined>, tier: Tier | undefined, forMs: number): Tier | undefined {
    if (this.reading.get(userId) === read) {
      this.reading.delete(userId);
      this.known.set(userId, { tier, until: Date.now() + forMs });
    }
    return tier;
  }

  private warnOnce(error: unknown): void {
    if (Date.now() - this.warnedAt < 60_000) return;
    this.warnedAt = Date.now();
    this.logger.warn('the users subgraph could not tell current tiers; requests go on at their credential tier', { error: String(error) });
  }
}

function withTier(identity: Identity & { kind: 'user' }, tier: Tier | undefined): Identity {
  return tier === undefined || tier === identity.tier ? identity : { ...identity, tier };
}

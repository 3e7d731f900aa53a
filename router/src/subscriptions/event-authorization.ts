import type { IncomingHttpHeaders } from 'node:http';
import { decodeJwt } from 'jose';
import type { Identity } from '@supergraph/identity';
import type { PreparedOperation, Stage } from '../pipeline/operation-request';

export interface EventAuthorizationOptions {
  /** Stage 2's check of a credential: the identity it stands for, or an UNAUTHENTICATED error. */
  authenticate(headers: IncomingHttpHeaders): Promise<Identity>;
  /** Stage 8, run again on the identity a recheck returns. */
  authorization: Stage;
  /**
   * How long a credential is trusted between checks (API_KEY_CACHE_MS: an API key's revocation
   * reaches running subscriptions as soon as it reaches new requests). A token is checked again
   * at its expiry too, whichever comes first.
   */
  recheckMs: number;
}

/**
 * Authorization per event. A subscription outlives the request that opened it, so before an event
 * is delivered the caller's credential is checked again once it is due: an access token when it
 * expires, any credential every `recheckMs`; then @authenticated and @requiresScopes are applied
 * to the identity that check returns. A subscription that no longer passes ends with the refusal
 * (UNAUTHENTICATED or FORBIDDEN). Between checks an event costs one clock read.
 */
export class EventAuthorization {
  private readonly dueAt = new WeakMap<PreparedOperation, number>();

  constructor(private readonly options: EventAuthorizationOptions) {}

  /** Resolves when the event may be delivered; rejects with the refusal that ends the subscription. */
  async check(operation: PreparedOperation, now = Date.now()): Promise<void> {
    // Nothing expires for a caller who presented no credential.
    if (operation.identity.kind !== 'user') return;
    const due = this.dueAt.get(operation);
    if (due === undefined) {
      // The pipeline checked it at subscribe time: the first recheck is due from there.
      this.dueAt.set(operation, this.nextCheck(operation.client.headers, now));
      return;
    }
    if (now < due) return;
    const identity = await this.options.authenticate(operation.client.headers);
    await this.options.authorization.run({ ...operation, identity });
    this.dueAt.set(operation, this.nextCheck(operation.client.headers, now));
  }

  private nextCheck(headers: IncomingHttpHeaders, now: number): number {
    return Math.min(now + this.options.recheckMs, tokenExpiry(headers) ?? Infinity);
  }
}

/** When the bearer JWT in these (already verified) headers expires, in ms; undefined for API keys. */
function tokenExpiry(headers: IncomingHttpHeaders): number | undefined {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
  if (!token || token.split('.').length !== 3) return undefined;
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

import { randomUUID } from 'node:crypto';
import { ACCOUNT_UPDATED, type AccountUpdated } from '@supergraph/identity';
import type { EventBus } from '@supergraph/pubsub';
import type { Logger } from '@supergraph/server';
import type { SignInMethod } from '../metrics';

export { ACCOUNT_UPDATED, type AccountUpdated };

export async function publishAccountUpdated(events: EventBus, event: AccountUpdated): Promise<void> {
  await events.publish(ACCOUNT_UPDATED, event);
}

/** Someone signed in (registering signs in too): the platform's activity, which the AI subgraph's analytics count. */
export const SIGNED_IN = 'users.signedIn';

export interface SignedIn {
  /** Unique per sign-in: what makes a replay of the event count once. */
  id: string;
  userId: string;
  method: SignInMethod;
  /** ISO 8601 instant. */
  at: string;
}

/**
 * Announces a sign-in. The sign-in itself has happened and stands when the bus is away (a Redis
 * outage must not lock people out), so a failed publish is logged rather than thrown: activity
 * figures may then miss it, which is the one thing such an outage costs.
 */
export async function publishSignedIn(events: EventBus, logger: Logger, userId: string, method: SignInMethod): Promise<void> {
  const event: SignedIn = { id: randomUUID(), userId, method, at: new Date().toISOString() };
  try {
    await events.publish(SIGNED_IN, event);
  } catch (error) {
    logger.warn('could not announce a sign-in', { userId, error: error instanceof Error ? error.message : String(error) });
  }
}

import { ACCOUNT_UPDATED, type AccountUpdated } from '@supergraph/identity';
import type { Prisma } from '../generated/prisma/client';
import type { SignInMethod } from '../metrics';

export { ACCOUNT_UPDATED, type AccountUpdated };

/** Someone signed in (registering signs in too): the platform's activity, which the AI subgraph's analytics count. */
export const SIGNED_IN = 'users.signedIn';

/** The payload of a `users.signedIn` envelope; when it happened is the envelope's `createdAt`, its identity the envelope's `id`. */
export interface SignedIn {
  userId: string;
  method: SignInMethod;
}

/**
 * Announces a change to an account by writing it to the outbox in `tx`, the transaction that makes
 * the change: the announcement exists exactly when the change committed, and the relay publishes it
 * once the bus takes it, so a Redis outage neither fails the change nor loses its event.
 */
export async function announceAccountUpdated(tx: Prisma.TransactionClient, event: AccountUpdated): Promise<void> {
  await announce(tx, ACCOUNT_UPDATED, event);
}

/** Announces a sign-in the same way: a sign-in during a Redis outage stands, and is counted once the bus is back. */
export async function announceSignedIn(tx: Prisma.TransactionClient, event: SignedIn): Promise<void> {
  await announce(tx, SIGNED_IN, event);
}

async function announce(tx: Prisma.TransactionClient, channel: string, payload: AccountUpdated | SignedIn): Promise<void> {
  await tx.outboxEvent.create({ data: { channel, payload: { ...payload } } });
}

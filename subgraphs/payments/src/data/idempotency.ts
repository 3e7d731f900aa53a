import { createHash, randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { badUserInput, clientError, hasErrorCode } from '@supergraph/server';
import type { PrismaClient } from '../generated/prisma/client';

/**
 * Idempotent execution of a money-moving mutation, keyed by (user, idempotency key).
 *
 * The row's primary key is the arbiter: of any number of concurrent calls with one key, exactly
 * one claims it and runs; the others wait and get the first one's stored response, byte for byte.
 * The same key with a different payload (another operation or other arguments) is refused with
 * IDEMPOTENCY_KEY_REUSED. A claim is a lease: if its owner dies, a retry takes over after
 * `leaseMs` and runs again — which is safe because every operation is itself resumable (it finds
 * the payment it already created by the same key, and Stripe dedupes by our Idempotency-Key).
 *
 * A refused request (a GraphQLError raised before anything was written: bad input, insufficient
 * stake) releases the key, so the call wrote nothing and may be retried with corrected input.
 */
export interface IdempotentRequest {
  userId: string;
  key: string;
  operation: string;
  /** The arguments that must match on a retry. */
  payload: unknown;
}

export interface IdempotencyOptions {
  /** How long a claim lasts before another caller may take over (default 30 s). */
  leaseMs?: number;
  /** How long a duplicate waits for the first call to finish (default 20 s). */
  waitMs?: number;
  pollMs?: number;
}

const MAX_KEY_LENGTH = 255;

export async function runIdempotent<T>(
  prisma: PrismaClient,
  request: IdempotentRequest,
  codec: { encode(value: T): unknown; decode(stored: unknown): T },
  run: () => Promise<T>,
  options: IdempotencyOptions = {},
): Promise<T> {
  checkIdempotencyKey(request.key);
  const leaseMs = options.leaseMs ?? 30_000;
  const deadline = Date.now() + (options.waitMs ?? 20_000);
  const requestHash = hashRequest(request.operation, request.payload);
  const token = randomUUID();

  for (;;) {
    const claimed = await prisma.$queryRaw<{ claim_token: string | null }[]>`
      INSERT INTO idempotency_keys (user_id, key, operation, request_hash, claim_token, locked_until)
      VALUES (${request.userId}::uuid, ${request.key}, ${request.operation}, ${requestHash}, ${token},
              now() + ${leaseMs} * interval '1 millisecond')
      ON CONFLICT (user_id, key) DO UPDATE
        SET claim_token = EXCLUDED.claim_token, locked_until = EXCLUDED.locked_until
        WHERE idempotency_keys.response IS NULL
          AND idempotency_keys.request_hash = EXCLUDED.request_hash
          AND (idempotency_keys.locked_until IS NULL OR idempotency_keys.locked_until < now())
      RETURNING claim_token`;
    if (claimed[0]?.claim_token === token) return execute(prisma, request, token, codec, run, leaseMs);

    const existing = await prisma.idempotencyKey.findUnique({ where: { userId_key: { userId: request.userId, key: request.key } } });
    if (existing) {
      if (existing.requestHash !== requestHash) {
        throw badUserInput('This idempotency key was already used for a different request', 'IDEMPOTENCY_KEY_REUSED', 'idempotencyKey');
      }
      if (existing.response !== null) return codec.decode(existing.response);
    }
    // Still running elsewhere (or just released): wait, then look again.
    if (Date.now() > deadline) {
      throw clientError('IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this idempotency key is still in progress; retry later');
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 25));
  }
}

async function execute<T>(
  prisma: PrismaClient,
  request: IdempotentRequest,
  token: string,
  codec: { encode(value: T): unknown; decode(stored: unknown): T },
  run: () => Promise<T>,
  leaseMs: number,
): Promise<T> {
  const where = { userId: request.userId, key: request.key, claimToken: token };
  let result: T;
  try {
    result = await run();
  } catch (error) {
    if (error instanceof GraphQLError && !hasErrorCode(error, 'INTERNAL_SERVER_ERROR')) {
      // Refused before writing anything: forget the key.
      await prisma.idempotencyKey.deleteMany({ where });
    } else {
      // Unknown outcome: release the lease at once so a retry resumes the operation.
      await releaseLease(() => prisma.idempotencyKey.updateMany({ where, data: { claimToken: null, lockedUntil: null } }), leaseMs);
    }
    throw error;
  }
  const stored = JSON.parse(JSON.stringify(codec.encode(result))) as object;
  await prisma.idempotencyKey.updateMany({ where, data: { response: stored, completedAt: new Date(), claimToken: null, lockedUntil: null } });
  // The caller that ran gets exactly what every duplicate will get.
  return codec.decode(stored);
}

/**
 * Releases a lease before the caller answers; when that fails too, as it does while the database is
 * away (often why the operation failed), it tries again every half second in the background until
 * it works or the lease has run out anyway, so a client retrying across an outage resumes as soon as
 * the database is back rather than a whole lease later. The caller's answer is the operation's error.
 */
async function releaseLease(release: () => Promise<unknown>, leaseMs: number): Promise<void> {
  const giveUpAt = Date.now() + leaseMs;
  const retry = () =>
    void release().catch(() => {
      if (Date.now() + RELEASE_RETRY_MS < giveUpAt) setTimeout(retry, RELEASE_RETRY_MS).unref();
    });
  await release().catch(() => setTimeout(retry, RELEASE_RETRY_MS).unref());
}

const RELEASE_RETRY_MS = 500;

export function checkIdempotencyKey(key: string): void {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || key.trim() !== key) {
    throw badUserInput(`idempotencyKey must be 1 to ${MAX_KEY_LENGTH} characters without surrounding spaces`, 'INVALID_IDEMPOTENCY_KEY', 'idempotencyKey');
  }
}

export function hashRequest(operation: string, payload: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([operation, canonical(payload)]))
    .digest('hex');
}

/** Objects with sorted keys, so the hash does not depend on argument order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return typeof value === 'bigint' ? value.toString() : value;
}

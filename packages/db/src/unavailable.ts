/**
 * Whether an error means "the database cannot be reached right now" (down, restarting, the
 * connection cut, the pool exhausted) rather than a bug: what a caller should retry shortly, so
 * it is reported with its own retryable code (DATABASE_UNAVAILABLE) instead of an internal error.
 * Recognises what Prisma (through @prisma/adapter-pg) and pg raise, looking through wrapped causes.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  // GraphQLError → Prisma error (→ its meta) → driver adapter error → its cause: a few levels at most.
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0 && seen.size < 16) {
    const current = pending.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const candidate = current as Record<string, unknown>;
    for (const code of [candidate.code, candidate.originalCode]) {
      if (typeof code === 'string' && (PRISMA_UNREACHABLE.has(code) || isConnectionSqlState(code))) return true;
    }
    if (typeof candidate.kind === 'string' && ADAPTER_UNREACHABLE.has(candidate.kind)) return true;
    if (typeof candidate.message === 'string' && CONNECTION_LOST.some((text) => (candidate.message as string).includes(text))) return true;
    pending.push(candidate.originalError, candidate.cause, candidate.meta, candidate.driverAdapterError);
  }
  return false;
}

/** Prisma's codes for a server it cannot reach, a timed-out connection, a closed connection, an exhausted pool. */
const PRISMA_UNREACHABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/** @prisma/adapter-pg's kinds for the same (its mapping of socket errors). */
const ADAPTER_UNREACHABLE = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout']);

/**
 * What pg says when the server went away under an open connection (it has no code for these), and
 * Prisma's message for an unreachable server where it reports no code (raw queries: "Code: N/A").
 */
const CONNECTION_LOST = [
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'is not queryable',
  "Can't reach database server",
];

/**
 * SQLSTATE class 08 (connection exception) and 57P01–57P03 (the server shutting down, crashed,
 * or starting up and not accepting connections yet).
 */
function isConnectionSqlState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code);
}

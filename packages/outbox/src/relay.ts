import type { SqlExecutor, SqlQueryable } from '@supergraph/db';
import type { EventBus } from '@supergraph/pubsub';
import type { Logger } from '@supergraph/server';

/**
 * The transactional outbox. A subgraph writes a row to its `outbox_events` table in the same
 * transaction as the change the row announces (Prisma model `OutboxEvent`), so an event exists
 * exactly when its change committed. The relay publishes unpublished rows to the event bus after
 * commit and marks them published:
 *
 * - never lost: a row is marked only after the bus accepted it, in the same transaction that
 *   locked it; a crash in between leaves it unpublished and it is sent again (at least once);
 * - never for a rolled-back change: the row rolled back with it;
 * - one relay at a time per database (a transaction-scoped advisory lock), so several instances
 *   of a subgraph publish each row once in the normal path, in id order;
 * - consumers dedupe on the envelope's `id` (the row id), which a republished row keeps.
 */
export interface OutboxEnvelope<T = unknown> {
  /** The outbox row id (a decimal string): the same on every delivery of one event. */
  id: string;
  channel: string;
  /** When the change committed (ISO 8601). */
  createdAt: string;
  payload: T;
}

export interface OutboxRelayOptions {
  sql: SqlExecutor;
  bus: EventBus;
  logger: Logger;
  /** How often to look for unpublished rows (default 200 ms). Call `flush()` to publish at once. */
  pollMs?: number;
  /** Rows published per transaction (default 100). */
  batchSize?: number;
  /** Told of each event after the transaction that marked it published committed (metrics). Default: nobody. */
  onPublished?(envelope: OutboxEnvelope): void;
}

export interface OutboxRelay {
  /** Stops polling and waits for a running flush to finish. */
  stop(): Promise<void>;
  /** Publishes everything unpublished now; returns how many rows this call published. */
  flush(): Promise<number>;
  /** Age in seconds of the oldest unpublished row, 0 when every row is published (the outbox_lag_seconds metric). */
  lagSeconds(): Promise<number>;
}

/** Transaction-scoped advisory lock key of the relay ('outbox' in ASCII); each subgraph has its own database. */
export const OUTBOX_RELAY_LOCK_KEY = 0x6f7574626f78;

interface OutboxRow {
  id: string;
  channel: string;
  payload: unknown;
  created_at: string;
}

export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { sql, bus, logger } = options;
  const pollMs = options.pollMs ?? 200;
  const batchSize = options.batchSize ?? 100;
  let running: Promise<number> = Promise.resolve(0);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const publishBatch = (tx: SqlQueryable) => publishOneBatch(tx, bus, batchSize);

  const drain = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const published = await sql.transaction(publishBatch);
      if (options.onPublished) published.forEach(options.onPublished);
      total += published.length;
      if (published.length < batchSize) return total;
    }
  };

  // One flush at a time per relay: a flush asked for while one runs starts after it.
  const flush = (): Promise<number> => {
    const next = running.catch(() => 0).then(drain);
    running = next;
    return next;
  };

  const tick = () => {
    if (stopped) return;
    flush()
      .catch((error: unknown) => logger.warn('outbox relay failed; will retry', { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, pollMs);
      });
  };
  timer = setTimeout(tick, 0);

  return {
    flush,
    lagSeconds: async () => {
      // The oldest unpublished row is the first by id: one step along the (published_at, id) index.
      const [row] = await sql.query<{ lag: number }>(
        'SELECT EXTRACT(EPOCH FROM now() - created_at)::float8 AS lag FROM outbox_events WHERE published_at IS NULL ORDER BY id LIMIT 1',
      );
      return Math.max(0, row?.lag ?? 0);
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => 0);
    },
  };
}

async function publishOneBatch(tx: SqlQueryable, bus: EventBus, batchSize: number): Promise<OutboxEnvelope[]> {
  const [lock] = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [OUTBOX_RELAY_LOCK_KEY]);
  // Another relay is publishing: it will also publish what we would have.
  if (!lock?.locked) return [];
  const rows = await tx.query<OutboxRow>(
    `SELECT id::text AS id, channel, payload, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at
       FROM outbox_events WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE`,
    [batchSize],
  );
  const envelopes: OutboxEnvelope[] = rows.map((row) => ({ id: row.id, channel: row.channel, createdAt: row.created_at, payload: row.payload }));
  for (const envelope of envelopes) await bus.publish(envelope.channel, envelope);
  if (envelopes.length > 0) await tx.query('UPDATE outbox_events SET published_at = now() WHERE id = ANY($1::bigint[])', [rows.map((row) => row.id)]);
  return envelopes;
}

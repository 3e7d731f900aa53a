import type { PrismaClient } from '../generated/prisma/client';

/** What the payer did in the 24 hours before a payment: the fraud model's activity signals. */
export interface PayerActivity {
  /** The payer's payments created in the 24 h before this one (this one excluded). */
  paymentsLast24h: number;
  /** Of those, the ones that failed (declined cards, rejected transfers). */
  failedPaymentsLast24h: number;
}

/**
 * The activity before each of many payments in one SQL statement (a self-join on the
 * (user_id, created_at) index). "Before" is a total order — created_at, then id — so payments of a
 * burst created in the same millisecond still count each other once, not both or neither.
 */
export async function payerActivityBefore(prisma: PrismaClient, paymentIds: readonly string[]): Promise<(PayerActivity | null)[]> {
  const rows = await prisma.$queryRaw<{ id: string; payments: number; failed: number }[]>`
    SELECT p.id::text AS id,
           count(o.id)::int AS payments,
           (count(o.id) FILTER (WHERE o.status = 'FAILED'))::int AS failed
      FROM payments p
      LEFT JOIN payments o
        ON o.user_id = p.user_id
       AND o.created_at >= p.created_at - interval '24 hours'
       AND (o.created_at, o.id) < (p.created_at, p.id)
     WHERE p.id = ANY(${[...paymentIds]}::uuid[])
     GROUP BY p.id`;
  const byId = new Map(rows.map((row) => [row.id, { paymentsLast24h: row.payments, failedPaymentsLast24h: row.failed }]));
  return paymentIds.map((id) => byId.get(id) ?? null);
}

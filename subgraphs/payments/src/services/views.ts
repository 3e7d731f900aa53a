import type { Payment as PaymentRow } from '../generated/prisma/client';
import type { PaymentMethod, PaymentStatus } from '../generated/prisma/enums';

/** A payment as the API shows it; also what an idempotent response stores and replays. */
export interface PaymentView {
  id: string;
  userId: string;
  /** Integer minor units as a decimal string. */
  amount: string;
  currency: string;
  method: PaymentMethod;
  status: PaymentStatus;
  purpose: string;
  providerReference: string | null;
  failureReason: string | null;
  createdAt: Date;
}

export function paymentView(row: PaymentRow): PaymentView {
  return {
    id: row.id,
    userId: row.userId,
    amount: row.amount.toFixed(0),
    currency: row.currency,
    method: row.method,
    status: row.status,
    purpose: row.purpose,
    // A token payment shows the transaction it names, bound to it or not.
    providerReference: row.providerReference ?? row.txHash,
    failureReason: row.failureReason,
    createdAt: row.createdAt,
  };
}

/** JSON round trip for the idempotency store (dates as ISO strings). */
export const paymentCodec = {
  encode: (view: PaymentView): unknown => ({ ...view, createdAt: view.createdAt.toISOString() }),
  decode: (stored: unknown): PaymentView => {
    const view = stored as PaymentView & { createdAt: string };
    return { ...view, createdAt: new Date(view.createdAt) };
  },
};

import DataLoader from 'dataloader';
import type { PaymentAccount, PaymentReview, PrismaClient } from '../generated/prisma/client';
import { paymentView, type PaymentView } from '../services/views';
import { payerActivityBefore, type PayerActivity } from './payer-activity';

/**
 * Per-request batching: `User.payments` and `User.feeDiscount` for N users (one `_entities` call
 * from the router) cost one SQL query each, and N `Payment` references one more; the payer activity
 * the fraud score needs, for N payments, one more again; so do their reviews.
 */
export interface PaymentsLoaders {
  paymentById: DataLoader<string, PaymentView | null>;
  paymentsByUserId: DataLoader<string, PaymentView[]>;
  accountByUserId: DataLoader<string, PaymentAccount | null>;
  payerActivity: DataLoader<string, PayerActivity | null>;
  reviewByPaymentId: DataLoader<string, PaymentReview | null>;
}

export function createLoaders(prisma: PrismaClient): PaymentsLoaders {
  return {
    paymentById: new DataLoader(async (ids) => {
      const rows = await prisma.payment.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((row) => [row.id, paymentView(row)]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    paymentsByUserId: new DataLoader(async (userIds) => {
      const rows = await prisma.payment.findMany({ where: { userId: { in: [...userIds] } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
      const byUser = new Map<string, PaymentView[]>();
      for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), paymentView(row)]);
      return userIds.map((id) => byUser.get(id) ?? []);
    }),
    accountByUserId: new DataLoader(async (userIds) => {
      const rows = await prisma.paymentAccount.findMany({ where: { userId: { in: [...userIds] } } });
      const byUser = new Map(rows.map((row) => [row.userId, row]));
      return userIds.map((id) => byUser.get(id) ?? null);
    }),
    payerActivity: new DataLoader((paymentIds) => payerActivityBefore(prisma, paymentIds)),
    reviewByPaymentId: new DataLoader(async (paymentIds) => {
      const rows = await prisma.paymentReview.findMany({ where: { paymentId: { in: [...paymentIds] } } });
      const byPayment = new Map(rows.map((row) => [row.paymentId, row]));
      return paymentIds.map((id) => byPayment.get(id) ?? null);
    }),
  };
}

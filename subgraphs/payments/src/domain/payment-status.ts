import { badUserInput } from '@supergraph/server';
import { PaymentStatus } from '../generated/prisma/enums';

/**
 * The payment state machine. PENDING is where every payment starts; SUCCEEDED, FAILED and
 * REFUNDED are reached only along these edges, and FAILED and REFUNDED are final. REVIEW holds a
 * card payment before anything is charged; an admin releases it (back to PENDING, then charged)
 * or rejects it (FAILED, never charged).
 */
const TRANSITIONS: Record<PaymentStatus, readonly PaymentStatus[]> = {
  PENDING: [PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.REVIEW],
  REVIEW: [PaymentStatus.PENDING, PaymentStatus.FAILED],
  SUCCEEDED: [PaymentStatus.REFUNDED],
  FAILED: [],
  REFUNDED: [],
};

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function invalidTransition(from: PaymentStatus, to: PaymentStatus) {
  return badUserInput(`A ${from} payment cannot become ${to}`, 'INVALID_PAYMENT_TRANSITION');
}

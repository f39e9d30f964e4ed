// The payment lifecycle (P2): PAYMENT-INITIATED → PAYMENT-PENDING → PAYMENT-SUCCESS or
// PAYMENT-FAILED, then refunds (and their rollbacks). Each change is appended to the PaymentLedger; a change
// that is not in this table is refused.

export const paymentStatuses = [
  'PAYMENT-INITIATED',
  'PAYMENT-PENDING',
  'PAYMENT-SUCCESS',
  'PAYMENT-FAILED',
  'PARTIALLY-REFUNDED',
  'REFUNDED',
] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

const transitions: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  'PAYMENT-INITIATED': ['PAYMENT-PENDING', 'PAYMENT-FAILED'],
  'PAYMENT-PENDING': ['PAYMENT-SUCCESS', 'PAYMENT-FAILED'],
  'PAYMENT-SUCCESS': ['PARTIALLY-REFUNDED', 'REFUNDED'],
  // Back towards PAYMENT-SUCCESS only when a refund is rolled back (R8).
  'PARTIALLY-REFUNDED': ['PARTIALLY-REFUNDED', 'REFUNDED', 'PAYMENT-SUCCESS'],
  'PAYMENT-FAILED': [],
  REFUNDED: ['PARTIALLY-REFUNDED', 'PAYMENT-SUCCESS'],
};

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return transitions[from].includes(to);
}

export function isPaymentStatus(value: unknown): value is PaymentStatus {
  return typeof value === 'string' && (paymentStatuses as readonly string[]).includes(value);
}

export function isFinal(status: PaymentStatus): boolean {
  return status !== 'PAYMENT-INITIATED' && status !== 'PAYMENT-PENDING';
}

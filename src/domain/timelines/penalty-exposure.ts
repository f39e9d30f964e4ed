// Potential penalty exposure of a late reversal (D1): the CBN charges a fixed sum per
// failed NIP item not reversed within 24 hours. Amount, window and channels are
// configuration; the default is ₦10,000 per item.
export type PenaltyPolicy = {
  readonly channels: readonly string[];
  readonly windowHours: number;
  readonly perItemMinor: bigint;
  readonly currency: string;
};

export const defaultPenaltyPolicy: PenaltyPolicy = { channels: ['nip'], windowHours: 24, perItemMinor: 10_000_00n, currency: 'NGN' };

export type PenaltySubject = {
  readonly channel: string;
  readonly failedAt: number;
  /** When the customer was credited back; null while not reversed. */
  readonly reversedAt: number | null;
  /** The status query found the transfer paid after all: it was never a failed item. */
  readonly resolvedAsSuccess?: boolean;
};

/**
 * The exposure of one item as of `now`: zero unless it was (or still is) unreversed past
 * the window — and zero for an item that turned out paid, which had nothing to reverse.
 */
export function penaltyExposureMinor(policy: PenaltyPolicy, subject: PenaltySubject, now: number): bigint {
  if (subject.resolvedAsSuccess === true || !policy.channels.includes(subject.channel)) return 0n;
  const limitAt = subject.failedAt + policy.windowHours * 60 * 60 * 1000;
  const settledAt = subject.reversedAt ?? now;
  return settledAt > limitAt ? policy.perItemMinor : 0n;
}

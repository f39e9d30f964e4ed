// The one canonical outcome every processor reply is normalized to (P3), whatever the
// processor's own codes: use cases decide on this and never on a raw reply.

export const outcomeKinds = ['approved', 'declined', 'pending', 'error'] as const;

/**
 * `approved` and `declined` are final answers. `pending` means the outcome is unknown
 * (no answer, an unreadable reply, a code we do not know): it is never guessed, the
 * transaction is asked about again later. `error` is the processor failing to handle the
 * request; `retryable` says whether asking again may succeed.
 */
export type OutcomeKind = (typeof outcomeKinds)[number];

export type ProcessorOutcome = {
  readonly kind: OutcomeKind;
  /** Our own stable code (`approved`, `do_not_honor`, `timeout`), never the processor's. */
  readonly code: string;
  /** A plain-language explanation, safe to show to a merchant. */
  readonly message: string;
  readonly retryable: boolean;
  /** The processor's id for the transaction, when its reply carried one. */
  readonly processorReference?: string;
};

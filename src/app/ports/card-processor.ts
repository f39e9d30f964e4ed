// The card processor port (P3). Every call carries an idempotency key derived from our own
// id, so a retry can never move money twice. Adapters return the processor's raw reply;
// the domain's normalization table turns it into one canonical outcome.
import type { CurrencyCode } from '../../domain/money/currencies.ts';
import type { JsonObject } from './store.ts';

export type CardDetails = {
  readonly number: string;
  readonly expMonth: number;
  readonly expYear: number;
  /** Present only on the first authorization; never stored. */
  readonly cvc?: string;
};

export type AuthorizeRequest = {
  readonly idempotencyKey: string;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly card: CardDetails;
};

export type QueryRequest = {
  readonly idempotencyKey: string;
  /** The processor's own reference, when a reply gave us one. */
  readonly processorReference?: string;
  /** The amount the queried payment or refund was asked for: a processor that reports an amount is checked against it. */
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
};

export type CardRefundRequest = {
  readonly idempotencyKey: string;
  readonly processorReference: string;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
};

/** A reply the processor sent, or the fact that none came in time. */
export type ProcessorReply =
  | { readonly kind: 'reply'; readonly raw: JsonObject }
  | { readonly kind: 'no_answer'; readonly reason: 'timeout' | 'network' };

export interface CardProcessor {
  readonly processorId: string;
  /**
   * Whether the processor recognizes a repeated request by its idempotency key and does
   * not act on it twice. When false (Converge has no such key), a call whose answer was
   * lost is never sent again: it is status-queried, and left pending for a person when the
   * query cannot find it.
   */
  readonly deduplicatesRequests: boolean;
  authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<ProcessorReply>;
  query(request: QueryRequest, signal: AbortSignal): Promise<ProcessorReply>;
  refund(request: CardRefundRequest, signal: AbortSignal): Promise<ProcessorReply>;
}

// The inter-bank port (V1, P3): sends a transfer to another bank over a NIP-shaped switch
// and asks for its status (TSQ). Every call carries an idempotency key derived from our
// transfer id, so sending again after a crash can never move money twice. Adapters
// return the raw reply; the domain's NIP code table normalizes it.
import type { CurrencyCode } from '../../domain/money/currencies.ts';
import type { ProcessorReply } from './card-processor.ts';

export type InterbankTransferRequest = {
  readonly idempotencyKey: string;
  readonly bankCode: string;
  readonly accountNumber: string;
  readonly accountName: string;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly narration: string;
};

export type InterbankQueryRequest = {
  readonly idempotencyKey: string;
  readonly bankCode: string;
  readonly accountNumber: string;
  /** The switch's session id, when a reply gave us one. */
  readonly sessionId?: string;
};

export interface InterbankRail {
  /** The code table that reads this rail's replies (`nip`). */
  readonly railId: string;
  transfer(request: InterbankTransferRequest, signal: AbortSignal): Promise<ProcessorReply>;
  query(request: InterbankQueryRequest, signal: AbortSignal): Promise<ProcessorReply>;
}

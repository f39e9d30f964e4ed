// The simulator's reply format, shaped like Elavon Converge, and the code table that
// normalizes it (P3). The simulator adapter builds its replies from the constants here,
// so the replies it sends and the table that reads them cannot drift apart.
//
// Replies are either a result (`ssl_result` '0' approved / '1' declined, with
// `ssl_result_message` and `ssl_txn_id`; a status query adds `ssl_trans_status` and
// `ssl_transaction_type`) or Converge's error envelope (`errorCode`, `errorMessage`).
// The reader turns a reply into one result code, and the table says what that code means:
//   `0:<ssl_result_message>`   a result with ssl_result '0' and no status (`0:APPROVAL`)
//   `1:<ssl_result_message>`   a decline, with or without status (`1:DECLINED: DO NOT HONOR`)
//   `status:<ssl_trans_status>` a status query of an approved transaction (`status:STL`)
//   `error:<errorCode>`        the error envelope (`error:NOT_FOUND`)
import { z } from 'zod';
import { defineCodeTable, type CodeRule, type NormalizationTable, type RawReply, type ReadReply } from './normalize.ts';
import { approved, declined, error, pending, txnqueryStatusRules, unknownCode } from './code-rules.ts';

export const simulatorProcessorId = 'simulator';

export const simulatorResultMessages = {
  approval: 'APPROVAL',
  doNotHonor: 'DECLINED: DO NOT HONOR',
  insufficientFunds: 'DECLINED: INSUFFICIENT FUNDS',
  declined: 'DECLINED',
} as const;

/** Converge `txnquery` statuses: settled, pended, open (unpended), review, and failed by a post-auth, fraud-prevention or pre-auth rule. */
export const transactionStatuses = ['STL', 'PEN', 'OPN', 'REV', 'PST', 'FPR', 'PRE'] as const;
export type TransactionStatus = (typeof transactionStatuses)[number];

export const simulatorErrorCodes = {
  /** The processor failed to handle the request; sending it again may work. */
  unavailable: 'PROCESSOR_UNAVAILABLE',
  /** A status query for a transaction the processor has no record of. */
  notFound: 'NOT_FOUND',
  /** A refund of a reference that is not an approved sale. */
  invalidReference: 'INVALID_REFERENCE',
  /** A card number that fails the Luhn check. */
  invalidCard: 'INVALID_CARD',
  /** The processor saw the request before; the transaction's own state must be queried. */
  duplicate: 'DUPLICATE',
} as const;

export type SimulatorResultReply = {
  readonly ssl_result: '0' | '1';
  readonly ssl_result_message: string;
  readonly ssl_txn_id: string;
  readonly ssl_trans_status?: TransactionStatus;
  readonly ssl_transaction_type?: 'SALE' | 'RETURN';
};

export type SimulatorErrorReply = {
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly ssl_txn_id?: string;
};

const errorEnvelopeSchema = z.object({
  errorCode: z.string().min(1),
  errorMessage: z.string().optional(),
  ssl_txn_id: z.string().min(1).optional(),
});

const resultReplySchema = z.object({
  ssl_result: z.enum(['0', '1']),
  ssl_result_message: z.string().min(1),
  // Converge gives every result a transaction id; an approval without one could never be
  // refunded or queried, so a result without it is not believed.
  ssl_txn_id: z.string().min(1),
  ssl_trans_status: z.string().min(1).optional(),
});

/**
 * Added by the Converge adapter to a reply that approves or settles an amount other than the
 * one asked for (`{ requested, processor }`); such a reply reads as `amount_mismatch`,
 * never as an approval.
 */
export const amountMismatchField = 'contra_amount_mismatch';

/** Reads a Converge-shaped reply into its result code; null when it has neither shape. */
export function readConvergeReply(raw: RawReply): ReadReply | null {
  if (Object.hasOwn(raw, amountMismatchField)) {
    const reference = raw['ssl_txn_id'];
    return { resultCode: 'amount_mismatch', ...(typeof reference === 'string' && reference !== '' ? { processorReference: reference } : {}) };
  }
  const isErrorEnvelope = Object.hasOwn(raw, 'errorCode');
  // A reply claiming both an error and a result says two things at once: not believed.
  if (isErrorEnvelope && Object.hasOwn(raw, 'ssl_result')) return null;
  if (isErrorEnvelope) {
    const envelope = errorEnvelopeSchema.safeParse(raw);
    if (!envelope.success) return null;
    const reference = envelope.data.ssl_txn_id;
    return { resultCode: `error:${envelope.data.errorCode}`, ...(reference === undefined ? {} : { processorReference: reference }) };
  }
  const result = resultReplySchema.safeParse(raw);
  if (!result.success) return null;
  const { ssl_result: resultFlag, ssl_result_message: message, ssl_trans_status: status, ssl_txn_id: reference } = result.data;
  const resultCode = resultFlag === '0' && status !== undefined ? `status:${status}` : `${resultFlag}:${message}`;
  return { resultCode, processorReference: reference };
}

const simulatorCodes: Readonly<Record<string, CodeRule>> = {
  [`0:${simulatorResultMessages.approval}`]: approved,
  [`1:${simulatorResultMessages.doNotHonor}`]: declined('do_not_honor', 'The card issuer declined the payment (do not honor).'),
  [`1:${simulatorResultMessages.insufficientFunds}`]: declined('insufficient_funds', 'The card issuer declined the payment: insufficient funds.'),
  [`1:${simulatorResultMessages.declined}`]: declined('declined', 'The processor declined the request.'),
  ...txnqueryStatusRules,
  [`error:${simulatorErrorCodes.unavailable}`]: error('processor_error', true, 'The processor failed to handle the request; it may succeed if sent again.'),
  // Not a decline: the caller sends the request again under the same idempotency key.
  [`error:${simulatorErrorCodes.notFound}`]: error('not_found', true, 'The processor has no record of the transaction.'),
  [`error:${simulatorErrorCodes.invalidReference}`]: error('invalid_reference', false, 'The processor has no approved sale under that reference to refund.'),
  [`error:${simulatorErrorCodes.invalidCard}`]: error('invalid_card_number', false, 'The processor rejected the card number as invalid.'),
  [`error:${simulatorErrorCodes.duplicate}`]: pending('duplicate', 'The processor reported the request as a duplicate; the transaction will be asked about.'),
};

export const simulatorCodeTable = defineCodeTable({
  readReply: readConvergeReply,
  codes: simulatorCodes,
  unknownCode,
});

export const simulatorNormalizationTable: NormalizationTable = new Map([[simulatorProcessorId, simulatorCodeTable]]);

// A transfer as stored (V1): who sends, who receives (an account here or another bank),
// the hold on the sender while the outcome is unknown, the switch's answer (raw reply
// sealed), the requery state (V3) and the links to its failed transaction and reversal.
import { z } from 'zod';
import type { AccountId, TenantId, TransferId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import { isCurrencyCode, type CurrencyCode } from '../../domain/money/currencies.ts';
import { lagosUtcOffsetMs } from '../../domain/timelines/lagos-dates.ts';
import type { JsonObject, RecordWrite, StoredRecord } from '../ports/store.ts';
import { processorFromJson, processorToJson, type ProcessorState } from '../payments/payment-record.ts';

export const transferKind = 'transfer';
export const pendingTransferIndexKey = 'status:pending';

/**
 * A transfer with an outcome is listed under the Lagos hour it was made in (V6), so a
 * reconciliation reads one business day, or the hours since its checkpoint, and nothing else.
 */
export function createdHourIndexKey(createdAt: number): string {
  return `created:${new Date(createdAt + lagosUtcOffsetMs).toISOString().slice(0, 13)}`;
}
export const transferStatuses = ['TRANSFER-PENDING', 'TRANSFER-SUCCESS', 'TRANSFER-FAILED', 'TRANSFER-REVERSED', 'TRANSFER-ESCALATED'] as const;
export type TransferStatus = (typeof transferStatuses)[number];

export type Receiver =
  | { readonly kind: 'account'; readonly accountId: AccountId }
  | { readonly kind: 'bank'; readonly bankCode: string; readonly accountNumber: string; readonly accountName: string };

export type MoneyTransfer = {
  readonly tenantId: TenantId;
  readonly reference: string;
  readonly version: number;
  readonly status: TransferStatus;
  readonly senderAccountId: AccountId;
  readonly receiver: Receiver;
  /** The receiver's account here, or the settlement account for another bank. */
  readonly creditAccountId: AccountId;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly channel: string;
  /** The hold on the sender (other-bank transfers) or the posted transfer (internal ones). */
  readonly journalTransferId: TransferId;
  readonly rail: ProcessorState;
  /** The first uncertain outcome code, which names the failure type if a TSQ later says failed. */
  readonly firstUncertainCode?: string;
  readonly queryAttempts: number;
  readonly nextQueryAt: number;
  readonly failedTransactionId?: string;
  readonly reversalId?: string;
  readonly initiator: string;
  readonly requestHash: string;
  readonly ledgerSequence: number;
  readonly firstReply?: { readonly statusCode: number; readonly bodyText: string };
  readonly createdAt: number;
  readonly updatedAt: number;
};

const receiverSchema = z.union([
  z.object({ kind: z.literal('account'), account_id: z.string() }),
  z.object({ kind: z.literal('bank'), bank_code: z.string(), account_number: z.string(), account_name: z.string() }),
]);

const bodySchema = z.object({
  status: z.enum(transferStatuses),
  sender_account_id: z.string(),
  receiver: receiverSchema,
  credit_account_id: z.string(),
  amount_minor: z.string().regex(/^[0-9]+$/),
  currency: z.string(),
  channel: z.string(),
  journal_transfer_id: z.string(),
  first_uncertain_code: z.string().nullable(),
  query_attempts: z.number().int(),
  next_query_at: z.number(),
  failed_transaction_id: z.string().nullable(),
  reversal_id: z.string().nullable(),
  initiator: z.string(),
  request_hash: z.string(),
  ledger_sequence: z.number().int(),
  first_reply: z.object({ status_code: z.number().int(), body_text: z.string() }).nullable(),
  created_at: z.number(),
  updated_at: z.number(),
});

function receiverToJson(receiver: Receiver): JsonObject {
  return receiver.kind === 'account'
    ? { kind: 'account', account_id: receiver.accountId }
    : { kind: 'bank', bank_code: receiver.bankCode, account_number: receiver.accountNumber, account_name: receiver.accountName };
}

export function transferWrite(transfer: MoneyTransfer, expectedVersion: number): RecordWrite {
  const body: JsonObject = {
    status: transfer.status,
    sender_account_id: transfer.senderAccountId,
    receiver: receiverToJson(transfer.receiver),
    credit_account_id: transfer.creditAccountId,
    amount_minor: transfer.amountMinor.toString(),
    currency: transfer.currency,
    channel: transfer.channel,
    journal_transfer_id: transfer.journalTransferId,
    rail: processorToJson(transfer.rail),
    first_uncertain_code: transfer.firstUncertainCode ?? null,
    query_attempts: transfer.queryAttempts,
    next_query_at: transfer.nextQueryAt,
    failed_transaction_id: transfer.failedTransactionId ?? null,
    reversal_id: transfer.reversalId ?? null,
    initiator: transfer.initiator,
    request_hash: transfer.requestHash,
    ledger_sequence: transfer.ledgerSequence,
    first_reply: transfer.firstReply === undefined ? null : { status_code: transfer.firstReply.statusCode, body_text: transfer.firstReply.bodyText },
    created_at: transfer.createdAt,
    updated_at: transfer.updatedAt,
  };
  const indexKey = transfer.status === 'TRANSFER-PENDING' ? pendingTransferIndexKey : createdHourIndexKey(transfer.createdAt);
  return { kind: transferKind, id: transfer.reference, body, expectedVersion, indexKey };
}

export function transferFromRecord(record: StoredRecord): MoneyTransfer {
  const parsed = bodySchema.safeParse(record.body);
  invariant(parsed.success, `transfer ${record.id} is damaged`);
  const body = parsed.data;
  invariant(isCurrencyCode(body.currency), `transfer ${record.id} currency is damaged`);
  const rail = record.body['rail'];
  invariant(typeof rail === 'object' && rail !== null && !Array.isArray(rail), `transfer ${record.id} rail is damaged`);
  const receiver: Receiver = body.receiver.kind === 'account'
    ? { kind: 'account', accountId: body.receiver.account_id as AccountId }
    : { kind: 'bank', bankCode: body.receiver.bank_code, accountNumber: body.receiver.account_number, accountName: body.receiver.account_name };
  return {
    tenantId: record.tenantId, reference: record.id, version: record.version, status: body.status,
    senderAccountId: body.sender_account_id as AccountId, receiver, creditAccountId: body.credit_account_id as AccountId,
    amountMinor: BigInt(body.amount_minor), currency: body.currency, channel: body.channel,
    journalTransferId: body.journal_transfer_id as TransferId, rail: processorFromJson(rail),
    ...(body.first_uncertain_code === null ? {} : { firstUncertainCode: body.first_uncertain_code }),
    queryAttempts: body.query_attempts, nextQueryAt: body.next_query_at,
    ...(body.failed_transaction_id === null ? {} : { failedTransactionId: body.failed_transaction_id }),
    ...(body.reversal_id === null ? {} : { reversalId: body.reversal_id }),
    initiator: body.initiator, requestHash: body.request_hash, ledgerSequence: body.ledger_sequence,
    ...(body.first_reply === null ? {} : { firstReply: { statusCode: body.first_reply.status_code, bodyText: body.first_reply.body_text } }),
    createdAt: body.created_at, updatedAt: body.updated_at,
  };
}

// How a transfer is shown on the wire (V1): amounts in major units, the receiver, the
// switch's answer (never the sealed raw reply), and the reply a POST answers with.
import { formatAmount } from '../../domain/money/money.ts';
import type { JsonObject } from '../ports/store.ts';
import type { Reply } from '../shared/reply.ts';
import type { MoneyTransfer, TransferStatus } from './transfer-record.ts';

const wireStatus: Record<TransferStatus, string> = {
  'TRANSFER-PENDING': 'pending',
  'TRANSFER-SUCCESS': 'success',
  'TRANSFER-FAILED': 'failed',
  'TRANSFER-REVERSED': 'reversed',
  'TRANSFER-ESCALATED': 'escalated',
};

export function transferView(transfer: MoneyTransfer): JsonObject {
  const receiver: JsonObject = transfer.receiver.kind === 'account'
    ? { account_id: transfer.receiver.accountId }
    : { bank_code: transfer.receiver.bankCode, account_number: transfer.receiver.accountNumber, account_name: transfer.receiver.accountName };
  return {
    reference: transfer.reference,
    status: wireStatus[transfer.status],
    transfer_status: transfer.status,
    sender_account_id: transfer.senderAccountId,
    receiver,
    amount: formatAmount(transfer.amountMinor, transfer.currency),
    currency: transfer.currency,
    channel: transfer.channel,
    rail: { outcome: transfer.rail.outcome, code: transfer.rail.code, message: transfer.rail.message, session_id: transfer.rail.reference ?? null },
    query_attempts: transfer.queryAttempts,
    failed_transaction_id: transfer.failedTransactionId ?? null,
    reversal_id: transfer.reversalId ?? null,
    created_at: new Date(transfer.createdAt).toISOString(),
    updated_at: new Date(transfer.updatedAt).toISOString(),
  };
}

/** The answer to the request that created the transfer, as it stood when the request ended. */
export function transferReply(transfer: MoneyTransfer): Reply {
  const view = transferView(transfer);
  switch (transfer.status) {
    case 'TRANSFER-SUCCESS':
      return { statusCode: 201, body: { message: 'Transfer completed.', status: 'success', reference: transfer.reference, transfer: view } };
    case 'TRANSFER-PENDING':
    case 'TRANSFER-ESCALATED':
      return { statusCode: 202, body: { message: 'The receiving bank has not confirmed the transfer yet; its status will be queried.', status: 'pending', reference: transfer.reference, transfer: view } };
    case 'TRANSFER-FAILED':
    case 'TRANSFER-REVERSED':
      return {
        statusCode: 502,
        body: {
          message: `The transfer failed: ${transfer.rail.message}`, status: 'failed', reference: transfer.reference,
          error: { code: 'transfer_failed', detail: transfer.rail.code }, transfer: view,
        },
      };
  }
}

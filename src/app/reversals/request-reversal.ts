// A manual reversal request (V4): a person asks for the reversal of a failed or escalated
// transfer. Status query first (V3): a transfer still being queried, or one that
// succeeded, is never reversed. The request waits for an approver who is not the
// requester; request, records, audit and the operations notice commit together.
import { approvalNeeded } from '../notifications/operations-alerts.ts';
import { formatAmount } from '../../domain/money/money.ts';
import { refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import { decideAndCommit, type Decision } from '../shared/commit.ts';
import { completedKeyWrite, completedReplay, type IdempotencyRequest } from '../shared/idempotency.ts';
import { requestHash } from '../shared/request-hash.ts';
import { storeReply, type StoredReply } from '../shared/reply.ts';
import { transferLockKey, transferLocks } from '../transfers/settle-transfer.ts';
import { transferFromRecord, transferKind, transferWrite, type MoneyTransfer } from '../transfers/transfer-record.ts';
import { claimReversalReference } from './execute-reversal.ts';
import { yearlyReferenceLockKey, yearlyReferenceLocks } from '../shared/yearly-reference.ts';
import { failedTransactionFromRecord, failedTransactionKind, failedTransactionWrite, type FailedTransaction } from './failed-transaction-record.ts';
import { reversalFromRecord, reversalKind, reversalWrite, type Reversal } from './reversal-record.ts';
import { reversalView } from './reversal-view.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export type RequestReversalInput = { readonly failedTransactionId?: string; readonly transferReference?: string; readonly reason: string };
export type RequestReversalCode = 'failed_transaction_not_found' | 'transfer_outcome_unknown' | 'transfer_succeeded' | 'transfer_not_reversible'
  | 'reversal_exists' | 'idempotency_key_reused' | 'conflict' | 'insufficient_funds';

async function referenceOf(deps: Dependencies, principal: TenantPrincipal, input: RequestReversalInput): Promise<string | null> {
  if (input.transferReference !== undefined) return input.transferReference;
  if (input.failedTransactionId === undefined) return null;
  const record = await deps.store.getRecord(principal.tenantId, failedTransactionKind, input.failedTransactionId);
  return record === null ? null : failedTransactionFromRecord(record).transferReference;
}

export async function requestReversal(deps: Dependencies, principal: TenantPrincipal, input: RequestReversalInput, idempotencyKey: string | null): Promise<Result<StoredReply, RequestReversalCode>> {
  const key = idempotencyKey === null ? null : { key: idempotencyKey, requestHash: requestHash('reversal-request', input) };
  const reference = await referenceOf(deps, principal, input);
  if (reference === null) return refuse('failed_transaction_not_found', input.failedTransactionId === undefined ? 'transfer_reference' : 'failed_transaction_id');
  return transferLocks.run(transferLockKey({ tenantId: principal.tenantId, reference }), () =>
    yearlyReferenceLocks.run(yearlyReferenceLockKey(principal.tenantId), () => decideAndCommit(deps.store, () => decideRequest(deps, principal, input, reference, key))));
}

async function reversibleState(deps: Dependencies, transfer: MoneyTransfer): Promise<Result<FailedTransaction, RequestReversalCode>> {
  if (transfer.receiver.kind === 'account') return refuse('transfer_not_reversible', 'transfer_reference', 'an internal transfer is not reversed; send the money back with a new transfer');
  if (transfer.status === 'TRANSFER-PENDING') return refuse('transfer_outcome_unknown', 'transfer_reference', 'its status is still being queried');
  if (transfer.status === 'TRANSFER-SUCCESS') return refuse('transfer_succeeded', 'transfer_reference');
  if (transfer.status === 'TRANSFER-REVERSED') return refuse('reversal_exists', 'transfer_reference', `reversed by ${transfer.reversalId ?? '?'}`);
  if (transfer.reversalId !== undefined) {
    const existing = await deps.store.getRecord(transfer.tenantId, reversalKind, transfer.reversalId);
    if (existing !== null && reversalFromRecord(existing).status !== 'REJECTED') return refuse('reversal_exists', 'transfer_reference', `${transfer.reversalId} is waiting for approval`);
  }
  const failedRecord = transfer.failedTransactionId === undefined ? null : await deps.store.getRecord(transfer.tenantId, failedTransactionKind, transfer.failedTransactionId);
  if (failedRecord === null) return refuse('failed_transaction_not_found', 'transfer_reference');
  return { ok: true, value: failedTransactionFromRecord(failedRecord) };
}

async function decideRequest(deps: Dependencies, principal: TenantPrincipal, input: RequestReversalInput, reference: string, key: IdempotencyRequest | null): Promise<Decision<StoredReply, RequestReversalCode>> {
  const replay = await completedReplay(deps.store, principal.tenantId, key);
  if (replay !== null) return replay;
  const record = await deps.store.getRecord(principal.tenantId, transferKind, reference);
  if (record === null) return refuse('failed_transaction_not_found', 'transfer_reference');
  const transfer = transferFromRecord(record);
  const state = await reversibleState(deps, transfer);
  if (!state.ok) return state;
  const failed = state.value;
  const at = deps.clock.now();
  const requester = initiatorOf(principal);
  const claimed = await claimReversalReference(deps, principal.tenantId, at);
  const reversal: Reversal = {
    tenantId: principal.tenantId, id: claimed.id, version: 0, status: 'PENDING_APPROVAL', mode: 'manual', failedTransactionId: failed.id,
    transferReference: reference, failureType: failed.failureType, channel: transfer.channel, amountMinor: transfer.amountMinor, currency: transfer.currency,
    senderAccountId: transfer.senderAccountId, requester, reason: input.reason, createdAt: at, updatedAt: at,
  };
  const reply = { statusCode: 201, body: { message: 'Reversal requested; it waits for an approver.', status: 'pending_approval', reversal: reversalView(reversal) } };
  const audit = await buildAuditEntry(deps, principal.tenantId, at, {
    stream: `txn:${reference}`, action: 'reversal.requested', initiator: requester, transactionId: reference, reversalId: reversal.id,
    amount: formatAmount(transfer.amountMinor, transfer.currency), currency: transfer.currency, status: 'PENDING_APPROVAL', reason: input.reason,
  });
  return {
    ok: true, value: storeReply(reply),
    changeset: {
      tenantId: principal.tenantId, at,
      records: [
        reversalWrite(reversal, 0), claimed.write,
        transferWrite({ ...transfer, version: transfer.version + 1, reversalId: reversal.id, updatedAt: at }, transfer.version),
        failedTransactionWrite({ ...failed, status: 'pending_reversal', reversalId: reversal.id, updatedAt: at }, failed.version),
        ...(key === null ? [] : [completedKeyWrite(key, reply)]),
        approvalNeeded(deps, principal.tenantId, at, reversal.id, transfer.amountMinor, transfer.currency, requester, input.reason),
      ],
      audit: [audit],
      outbox: [{ id: deps.ids.next('out'), topic: 'notification.operations', at, payload: { template: 'manual_reversal_needed', reversal_id: reversal.id, transfer_reference: reference, why: input.reason } }],
    },
  };
}

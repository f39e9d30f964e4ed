// Rolling back a wrong reversal (R8): reconciliation found that an other-bank transfer we
// reversed was in fact credited to the beneficiary, so the sender has the money back AND
// the beneficiary was paid through the settlement account. A second person (the approval
// rules, and neither the reversal's requester nor its approver) undoes the reversal with a
// reason and evidence: a new posted transfer sender → the rail's settlement account that
// points at the reversal's void, the transfer TRANSFER-SUCCESS, the failed transaction
// resolved, the reversal ROLLED_BACK, a ledger entry and an audit record, in ONE commit.
// Nothing is rewritten. The sender's account may not go below zero: without the money the
// rollback is refused (`insufficient_funds`) and nothing is written.
import type { TransferId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import type { TransferWrite } from '../../domain/journal/transfers.ts';
import { formatAmount } from '../../domain/money/money.ts';
import { decideRollback, type ApprovalRefusal } from '../../domain/reversals/reversal-rules.ts';
import { refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { initiatorOf } from '../access/principal.ts';
import { decideAndCommit, type Decision } from '../shared/commit.ts';
import { completedKeyWrite, completedReplay, type IdempotencyRequest } from '../shared/idempotency.ts';
import { requestHash } from '../shared/request-hash.ts';
import { storeReply, type StoredReply } from '../shared/reply.ts';
import { readTransfer, transferLockKey, transferLocks } from '../transfers/settle-transfer.ts';
import { transferWrite, type MoneyTransfer } from '../transfers/transfer-record.ts';
import { approvalAllowed, type TenantPrincipal } from './decide-reversal.ts';
import { failedTransactionFromRecord, failedTransactionKind, failedTransactionWrite } from './failed-transaction-record.ts';
import { reversalFromRecord, reversalKind, reversalWrite, type Reversal } from './reversal-record.ts';
import { reversalView } from './reversal-view.ts';
import { notificationRecord } from '../notifications/enqueue-notification.ts';

export type ReversalRollbackInput = { readonly reason: string; readonly evidence?: string };
export type RollBackReversalCode = 'reversal_not_found' | 'reversal_not_rollbackable' | ApprovalRefusal | 'idempotency_key_reused' | 'conflict' | 'insufficient_funds';
type RollbackCase = { readonly reversal: Reversal; readonly transfer: MoneyTransfer };

export async function rollBackReversal(
  deps: Dependencies, principal: TenantPrincipal, id: string, input: ReversalRollbackInput, idempotencyKey: string | null,
): Promise<Result<StoredReply, RollBackReversalCode>> {
  const key = idempotencyKey === null ? null : { key: idempotencyKey, requestHash: requestHash('reversal-rollback', { id, reason: input.reason, evidence: input.evidence ?? null }) };
  const replay = await completedReplay(deps.store, principal.tenantId, key);
  if (replay !== null) return replay.ok ? { ok: true, value: replay.value } : replay;
  const checked = await rollbackCase(deps, principal, id);
  if (!checked.ok) return checked;
  return transferLocks.run(transferLockKey(checked.value.transfer), () => decideAndCommit(deps.store, () => decide(deps, principal, id, input, key)));
}

async function rollbackCase(deps: Dependencies, principal: TenantPrincipal, id: string): Promise<Result<RollbackCase, RollBackReversalCode>> {
  const record = await deps.store.getRecord(principal.tenantId, reversalKind, id);
  if (record === null) return refuse('reversal_not_found', 'id');
  const reversal = reversalFromRecord(record);
  if (reversal.status !== 'COMPLETED') return refuse('reversal_not_rollbackable', 'id', `the reversal is ${reversal.status}`);
  const allowed = await approvalAllowed(deps, principal, reversal, decideRollback);
  if (!allowed.ok) return allowed;
  const transfer = await readTransfer(deps, { tenantId: principal.tenantId, reference: reversal.transferReference });
  if (transfer.receiver.kind !== 'bank' || transfer.status !== 'TRANSFER-REVERSED' || transfer.reversalId !== reversal.id) {
    return refuse('reversal_not_rollbackable', 'id', `only the reversal of an other-bank transfer can be rolled back; the transfer is ${transfer.status}`);
  }
  return { ok: true, value: { reversal, transfer } };
}

async function decide(
  deps: Dependencies, principal: TenantPrincipal, id: string, input: ReversalRollbackInput, key: IdempotencyRequest | null,
): Promise<Decision<StoredReply, RollBackReversalCode>> {
  const replay = await completedReplay(deps.store, principal.tenantId, key);
  if (replay !== null) return replay;
  const checked = await rollbackCase(deps, principal, id);
  if (!checked.ok) return checked;
  const { reversal, transfer } = checked.value;
  invariant(reversal.journalTransferId !== undefined, `reversal ${id} completed without a journal transfer`);
  const failedRecord = await deps.store.getRecord(principal.tenantId, failedTransactionKind, reversal.failedTransactionId);
  invariant(failedRecord !== null, `reversal ${id}: failed transaction vanished`);
  const failed = failedTransactionFromRecord(failedRecord);
  const at = deps.clock.now();
  const decider = initiatorOf(principal);
  const compensation: TransferWrite = {
    id: deps.ids.next('trf') as TransferId, kind: 'posted', debitAccountId: transfer.senderAccountId, creditAccountId: transfer.creditAccountId,
    amountMinor: transfer.amountMinor, currency: transfer.currency, transactionId: transfer.reference, code: 'reversal_rollback',
    correctsTransferId: reversal.journalTransferId as TransferId, description: reversal.id,
  };
  const evidence = input.evidence === undefined ? {} : { evidence: input.evidence };
  const rolledBack: Reversal = {
    ...reversal, version: reversal.version + 1, status: 'ROLLED_BACK', updatedAt: at,
    rollback: { reason: input.reason, decidedBy: decider, ...evidence, journalTransferId: compensation.id, at },
  };
  const settled: MoneyTransfer = { ...transfer, version: transfer.version + 1, status: 'TRANSFER-SUCCESS', ledgerSequence: transfer.ledgerSequence + 1, updatedAt: at };
  const amount = formatAmount(transfer.amountMinor, transfer.currency);
  const reply = {
    statusCode: 200,
    body: {
      message: 'Reversal rolled back: the sender is debited again and the settlement account credited; the transfer is settled as a success.',
      status: 'rolled_back', transfer_status: settled.status, journal_transfer_id: compensation.id, reversal: reversalView(rolledBack),
    },
  };
  const audit = await buildAuditEntry(deps, principal.tenantId, at, {
    stream: `txn:${transfer.reference}`, action: 'reversal.rolled_back', initiator: decider, transactionId: transfer.reference, reversalId: id,
    amount, currency: transfer.currency, status: 'ROLLED_BACK', reason: input.reason,
    details: {
      query: { reversal_id: id, reason: input.reason, evidence: input.evidence ?? null, requester: reversal.requester, approver: reversal.decidedBy ?? null, decider },
      response: { journal_transfer_id: compensation.id, corrects_transfer_id: reversal.journalTransferId, sender_account_id: transfer.senderAccountId, settlement_account_id: transfer.creditAccountId, transfer_status: settled.status },
    },
  });
  return {
    ok: true, value: storeReply(reply),
    changeset: {
      tenantId: principal.tenantId, at, transfers: [compensation],
      records: [
        reversalWrite(rolledBack, reversal.version), transferWrite(settled, transfer.version),
        failedTransactionWrite({ ...failed, status: 'resolved', updatedAt: at }, failed.version),
        // The customer is debited again: they are told in the same commit (N1).
        notificationRecord(deps.ids, transfer.tenantId, at, {
          audience: 'customer', recipient: transfer.senderAccountId, template: 'reversal.rolled_back', source: `reversal-rollback:${id}`,
          data: { amount_minor: transfer.amountMinor.toString(), currency: transfer.currency, reversal_reference: id, transfer_reference: transfer.reference },
        }),
        ...(key === null ? [] : [completedKeyWrite(key, reply)]),
      ],
      ledgerEntries: [{
        transactionId: transfer.reference, sequence: settled.ledgerSequence, status: 'TRANSFER-SUCCESS', at, transferIds: [compensation.id],
        details: { rolled_back_reversal: id, reason: input.reason, decider, amount },
      }],
      audit: [audit],
    },
  };
}


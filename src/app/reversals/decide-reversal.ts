// Approving or rejecting a manual reversal (V4, V5). Approval is maker-checker: never the
// requester, and above the high-value threshold a manager (an admin key). An escalated
// transfer is queried once more first: a late success is credited and the reversal
// closed, never executed. Approval executes the reversal in ONE commit (hold voided,
// statuses, audit, notification, idempotency record), so running it twice, or alongside
// detection, reverses once.
import { invariant } from '../../domain/invariant.ts';
import { decideApproval, type Approver, type ApprovalRefusal, type ReversalRules } from '../../domain/reversals/reversal-rules.ts';
import { formatAmount } from '../../domain/money/money.ts';
import { refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import { decideAndCommit, type Decision } from '../shared/commit.ts';
import { completedKeyWrite, completedReplay, type IdempotencyRequest } from '../shared/idempotency.ts';
import { requestHash } from '../shared/request-hash.ts';
import { storeReply, type StoredReply } from '../shared/reply.ts';
import { queryTransfer } from '../transfers/ask-rail.ts';
import { applyTransferAnswer, readTransfer, transferLockKey, transferLocks } from '../transfers/settle-transfer.ts';
import { requeryInitiator } from '../transfers/requery-transfers.ts';
import { transferWrite } from '../transfers/transfer-record.ts';
import { reversalExecution } from './execute-reversal.ts';
import { failedTransactionFromRecord, failedTransactionKind, failedTransactionWrite } from './failed-transaction-record.ts';
import { reversalRulesOf } from './reversal-policy.ts';
import { reversalFromRecord, reversalKind, reversalWrite, type Reversal } from './reversal-record.ts';
import { reversalView } from './reversal-view.ts';

export type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;
export type DecideReversalCode = 'reversal_not_found' | 'reversal_already_decided' | 'transfer_succeeded' | ApprovalRefusal
  | 'idempotency_key_reused' | 'conflict' | 'insufficient_funds';

export async function pendingReversal(deps: Dependencies, principal: TenantPrincipal, id: string): Promise<Result<Reversal, 'reversal_not_found' | 'reversal_already_decided'>> {
  const record = await deps.store.getRecord(principal.tenantId, reversalKind, id);
  if (record === null) return refuse('reversal_not_found', 'id');
  const reversal = reversalFromRecord(record);
  if (reversal.status !== 'PENDING_APPROVAL') return refuse('reversal_already_decided', 'id', `the reversal is ${reversal.status}`);
  return { ok: true, value: reversal };
}

type MakerChecker = (reversal: Reversal, decider: Approver, rules: ReversalRules) => Result<true, ApprovalRefusal>;

/**
 * Maker-checker (V4): never the requester; above the threshold a manager. Shared by every
 * decision that moves the money; a rollback (R8) passes its own, stricter rule.
 */
export async function approvalAllowed(deps: Dependencies, principal: TenantPrincipal, reversal: Reversal, decide: MakerChecker = decideApproval): Promise<Result<true, ApprovalRefusal>> {
  const rules = await reversalRulesOf(deps, principal.tenantId, reversal.currency);
  return decide(reversal, { initiator: initiatorOf(principal), isManager: principal.role === 'admin' }, rules);
}

export async function approveReversal(deps: Dependencies, principal: TenantPrincipal, id: string, idempotencyKey: string | null): Promise<Result<StoredReply, DecideReversalCode>> {
  const key = idempotencyKey === null ? null : { key: idempotencyKey, requestHash: requestHash('reversal-approve', { id }) };
  const replay = await completedReplay(deps.store, principal.tenantId, key);
  if (replay !== null) return replay.ok ? { ok: true, value: replay.value } : replay;
  const found = await pendingReversal(deps, principal, id);
  if (!found.ok) return found;
  // Who may approve is settled before anything is asked of the bank.
  const allowed = await approvalAllowed(deps, principal, found.value);
  if (!allowed.ok) return allowed;
  const transfer = await readTransfer(deps, { tenantId: principal.tenantId, reference: found.value.transferReference });
  if (transfer.status === 'TRANSFER-ESCALATED') {
    // Status query first (V3): the bank may have credited the beneficiary after all.
    const answer = await queryTransfer(deps, transfer);
    if (answer.outcome.kind === 'approved') {
      await applyTransferAnswer(deps, transfer, answer, { countsAsRequery: true, initiator: requeryInitiator });
      return refuse('transfer_succeeded', 'id', 'a last status query found the transfer credited; it was settled, not reversed');
    }
  }
  return transferLocks.run(transferLockKey(transfer), () => decideAndCommit(deps.store, () => decideApprove(deps, principal, id, key)));
}

/**
 * The reversal was read pending but its transfer is no longer failed: another process
 * decided it between the two reads (within one process the transfer's lock prevents
 * that). Read the reversal again and answer as if it had been decided before we looked.
 */
async function movedMeanwhile(deps: Dependencies, principal: TenantPrincipal, id: string): Promise<Decision<StoredReply, DecideReversalCode>> {
  const again = await pendingReversal(deps, principal, id);
  if (!again.ok) return again;
  return refuse('conflict', 'id', 'the reversal and its transfer changed while they were read; try again');
}

async function decideApprove(deps: Dependencies, principal: TenantPrincipal, id: string, key: IdempotencyRequest | null): Promise<Decision<StoredReply, DecideReversalCode>> {
  const replay = await completedReplay(deps.store, principal.tenantId, key);
  if (replay !== null) return replay;
  const found = await pendingReversal(deps, principal, id);
  if (!found.ok) return found;
  const reversal = found.value;
  const approver = initiatorOf(principal);
  const allowed = await approvalAllowed(deps, principal, reversal);
  if (!allowed.ok) return allowed;
  const transfer = await readTransfer(deps, { tenantId: principal.tenantId, reference: reversal.transferReference });
  if (transfer.status === 'TRANSFER-SUCCESS') return refuse('transfer_succeeded', 'id');
  if (transfer.status !== 'TRANSFER-FAILED' && transfer.status !== 'TRANSFER-ESCALATED') return movedMeanwhile(deps, principal, id);
  const failedRecord = await deps.store.getRecord(principal.tenantId, failedTransactionKind, reversal.failedTransactionId);
  invariant(failedRecord !== null, `reversal ${id}: failed transaction vanished`);
  const failed = failedTransactionFromRecord(failedRecord);
  const at = deps.clock.now();
  const approved: Reversal = { ...reversal, decidedBy: approver, updatedAt: at };
  const executed = await reversalExecution(deps, transfer, transfer.version, failed, failed.version, approved, reversal.version, approver, at);
  // The reply shows the reversal as stored, with the journal transfer that credited the sender back.
  const reply = { statusCode: 200, body: { message: 'Reversal approved; the sender has been credited back.', status: 'completed', reversal: reversalView(executed.completed) } };
  const audit = await buildAuditEntry(deps, principal.tenantId, at, {
    stream: `txn:${reversal.transferReference}`, action: 'reversal.approved', initiator: approver, transactionId: reversal.transferReference, reversalId: id,
    amount: formatAmount(transfer.amountMinor, transfer.currency), currency: transfer.currency, status: 'APPROVED', reason: reversal.reason,
  });
  return {
    ok: true, value: storeReply(reply),
    changeset: {
      tenantId: principal.tenantId, at, transfers: executed.transfers,
      records: [...executed.records, ...(key === null ? [] : [completedKeyWrite(key, reply)])],
      ledgerEntries: executed.ledgerEntries, audit: [audit, ...executed.audit], outbox: executed.outbox,
    },
  };
}

export async function rejectReversal(deps: Dependencies, principal: TenantPrincipal, id: string, reason: string, idempotencyKey: string | null): Promise<Result<StoredReply, DecideReversalCode>> {
  const key = idempotencyKey === null ? null : { key: idempotencyKey, requestHash: requestHash('reversal-reject', { id, reason }) };
  return decideAndCommit(deps.store, async (): Promise<Decision<StoredReply, DecideReversalCode>> => {
    const replay = await completedReplay(deps.store, principal.tenantId, key);
    if (replay !== null) return replay;
    const found = await pendingReversal(deps, principal, id);
    if (!found.ok) return found;
    const reversal = found.value;
    const at = deps.clock.now();
    const decider = initiatorOf(principal);
    const rejected: Reversal = { ...reversal, status: 'REJECTED', decidedBy: decider, decisionReason: reason, updatedAt: at };
    const transfer = await readTransfer(deps, { tenantId: principal.tenantId, reference: reversal.transferReference });
    const failedRecord = await deps.store.getRecord(principal.tenantId, failedTransactionKind, reversal.failedTransactionId);
    invariant(failedRecord !== null, `reversal ${id}: failed transaction vanished`);
    const failed = failedTransactionFromRecord(failedRecord);
    const reply = { statusCode: 200, body: { message: 'Reversal rejected; the failed transaction stays open.', status: 'rejected', reversal: reversalView(rejected) } };
    const audit = await buildAuditEntry(deps, principal.tenantId, at, {
      stream: `txn:${reversal.transferReference}`, action: 'reversal.rejected', initiator: decider, transactionId: reversal.transferReference, reversalId: id,
      amount: formatAmount(transfer.amountMinor, transfer.currency), currency: transfer.currency, status: 'REJECTED', reason,
    });
    return {
      ok: true, value: storeReply(reply),
      changeset: {
        tenantId: principal.tenantId, at,
        records: [
          reversalWrite(rejected, reversal.version),
          transferWrite({ ...transfer, version: transfer.version + 1, updatedAt: at }, transfer.version),
          failedTransactionWrite({ ...failed, status: 'investigating', updatedAt: at }, failed.version),
          ...(key === null ? [] : [completedKeyWrite(key, reply)]),
        ],
        audit: [audit],
      },
    };
  });
}

// What a mismatch leads to (V6 feeding V2–V5), through the existing machinery only — a
// mismatch alone never reverses anything:
// - a debit still waiting for its outcome (orphaned, or the statement says it succeeded or
//   failed, or the statement lacks it) is status-queried now, as the detection sweep does;
//   the answer is committed by settle-transfer.ts: a success is credited (even late), a
//   definite failure goes through the tenant's reversal rules, unknown keeps waiting. If
//   the statement says it failed and no failed transaction is open yet, one is opened
//   first with detection method `reconciliation`;
// - a transfer we settled as successful that the statement says failed is escalated to a
//   person: a failed transaction (`reconciliation`, escalated), never an automatic reversal,
//   with its incident report (D3) when the tenant reports escalations;
// - everything else (missing on our side, amounts that differ, a failure we reversed that
//   the statement says succeeded, duplicates) is reported in the log and to operations;
//   a wrong reversal is then rolled back by a second person (R8, roll-back-reversal.ts).
// Every write is version-checked and the failed transaction's id is the transfer's, so
// running this twice, or at once with detection, opens and reverses at most once.
import type { AuditAppend } from '../../domain/audit/audit-record.ts';
import { comparableStatus, type Mismatch } from '../../domain/reconciliation/matcher.ts';
import { formatAmount } from '../../domain/money/money.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { requeryOrphan } from '../reversals/detect-failures.ts';
import { failedTransactionWrite, type FailedTransaction } from '../reversals/failed-transaction-record.ts';
import { requeryTransfer, type TransferRequeryReport } from '../transfers/requery-transfers.ts';
import { readTransfer, transferLockKey, transferLocks } from '../transfers/settle-transfer.ts';
import { detectedFailure, significantFailure } from '../transfers/transfer-failure.ts';
import { failureIncidentWrites } from '../compliance/open-incident.ts';
import { transferWrite, type MoneyTransfer } from '../transfers/transfer-record.ts';
import type { LoggedMismatch } from './reconciliation-record.ts';

export const reconciliationInitiator = 'system:reconciliation';

export type ActionReport = TransferRequeryReport & { orphanedDebits: number; escalatedByStatement: number };

export function emptyActionReport(): ActionReport {
  return { examined: 0, succeeded: 0, failed: 0, stillPending: 0, escalated: 0, orphanedDebits: 0, escalatedByStatement: 0 };
}

/** Opens the failed transaction of a transfer that has none, found by reconciliation. */
async function openFailure(deps: Dependencies, subject: MoneyTransfer, status: FailedTransaction['status'], mismatch: Mismatch, initiator: string): Promise<void> {
  await transferLocks.run(transferLockKey(subject), async () => {
    const transfer = await readTransfer(deps, subject);
    if (transfer.failedTransactionId !== undefined) return;
    const at = deps.clock.now();
    const detected = detectedFailure(deps, transfer, null, 'status_unknown', `settlement_${mismatch.theirs?.status ?? 'missing'}`, at);
    const failed: FailedTransaction = { ...detected, detectionMethod: 'reconciliation', status };
    const linked: MoneyTransfer = { ...transfer, version: transfer.version + 1, failedTransactionId: failed.id, updatedAt: at };
    const audit: AuditAppend = await buildAuditEntry(deps, transfer.tenantId, at, {
      stream: `txn:${transfer.reference}`, action: status === 'escalated' ? 'failure.reconciliation_escalated' : 'failure.reconciliation',
      initiator, transactionId: transfer.reference, amount: formatAmount(transfer.amountMinor, transfer.currency), currency: transfer.currency,
      status: status.toUpperCase(), reason: `settlement statement: ${mismatch.detail}`,
      details: { response: { mismatch: mismatch.kind, failed_transaction_id: failed.id, statement_line: mismatch.theirs?.line ?? null } },
    });
    // A significant failure (high value, or escalated to a person) opens its incident report in the same commit (D3).
    const incident = await failureIncidentWrites(deps, significantFailure(failed, status === 'escalated', `settlement statement: ${mismatch.detail}`), at);
    // A lost race only means the transfer moved on meanwhile; the next run sees where it is.
    await deps.store.commit({
      tenantId: transfer.tenantId, at, records: [transferWrite(linked, transfer.version), failedTransactionWrite(failed, 0), ...incident.records], audit: [audit, ...incident.audit],
    });
  });
}

function waiting(transfer: MoneyTransfer): boolean {
  return comparableStatus(transfer.status) === 'pending';
}

/** Acts on one mismatch; `transfer` is ours as read for the run (absent when only the statement has it). */
export async function actOnMismatch(deps: Dependencies, mismatch: Mismatch, transfer: MoneyTransfer | undefined, report: ActionReport, initiator: string): Promise<LoggedMismatch> {
  if (transfer === undefined) return { ...mismatch, action: 'reported' };
  const theirs = mismatch.theirs === undefined ? undefined : comparableStatus(mismatch.theirs.status);
  if (mismatch.kind === 'orphaned_debit' && transfer.status === 'TRANSFER-PENDING') {
    report.examined++;
    await requeryOrphan(deps, transfer, report, initiator);
  } else if ((mismatch.kind === 'status_differs' || mismatch.kind === 'missing_theirs') && waiting(transfer)) {
    if (theirs === 'failed') await openFailure(deps, transfer, 'investigating', mismatch, initiator);
    report.examined++;
    await requeryTransfer(deps, await readTransfer(deps, transfer), report, initiator);
  } else if (mismatch.kind === 'status_differs' && transfer.status === 'TRANSFER-SUCCESS' && theirs === 'failed') {
    report.escalatedByStatement++;
    await openFailure(deps, transfer, 'escalated', mismatch, initiator);
    return { ...mismatch, action: 'escalated', outcome: transfer.status };
  } else {
    return { ...mismatch, action: 'reported' };
  }
  return { ...mismatch, action: 'status_queried', outcome: (await readTransfer(deps, transfer)).status };
}

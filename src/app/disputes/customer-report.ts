// A customer's report of a transfer with no failed transaction yet (V2): the dispute opens
// a failed transaction detected by `customer_report`, linked to the transfer, in the same
// changeset. The customer's word alone never moves money: a customer report is never
// reversed automatically (reversal-rules.ts), and the outcome comes from the status-query
// path — a pending transfer is settled by the requery job as usual (a definite failure
// then follows the normal reversal rules); an other-bank transfer our ledger shows as
// paid is queried once (`checkCustomerReport`): credited → resolved, no reversal; the
// switch contradicting our record → escalated to a person (and an incident, D3); an
// internal transfer that completed is resolved at once, no reversal. The dispute itself
// stays open for operations in every case.
import type { TenantId } from '../../domain/ids.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import type { AuditAppend } from '../../domain/audit/audit-record.ts';
import { failureIncidentWrites } from '../compliance/open-incident.ts';
import type { Dependencies } from '../dependencies.ts';
import type { RecordWrite } from '../ports/store.ts';
import { failedTransactionFromRecord, failedTransactionIdFor, failedTransactionKind, failedTransactionWrite, type FailedTransaction } from '../reversals/failed-transaction-record.ts';
import { queryTransfer } from '../transfers/ask-rail.ts';
import { significantFailure } from '../transfers/transfer-failure.ts';
import { transferFromRecord, transferKind, transferWrite, type MoneyTransfer } from '../transfers/transfer-record.ts';

export const customerReportInitiator = 'system:customer-report';
/** Reported other-bank transfers our ledger shows as paid, until the status query decides them: the sweep's list. */
export const uncheckedReportIndexKey = 'customer_report:unchecked';

/** The failed transaction a customer's report opens, and the writes that link it to the transfer. */
export async function reportedFailure(deps: Dependencies, transfer: MoneyTransfer, reportedBy: string, at: number): Promise<{ failed: FailedTransaction; records: RecordWrite[]; audit: AuditAppend }> {
  const internalDone = transfer.receiver.kind === 'account' && transfer.status === 'TRANSFER-SUCCESS';
  const failed: FailedTransaction = {
    tenantId: transfer.tenantId, id: failedTransactionIdFor(transfer.reference), version: 0, transferReference: transfer.reference,
    failureType: 'customer_report', detectionMethod: 'customer_report', status: internalDone ? 'resolved' : 'investigating',
    outcomeCode: internalDone ? 'completed_internally' : 'customer_report',
    bankCode: transfer.receiver.kind === 'bank' ? transfer.receiver.bankCode : null, channel: transfer.channel,
    amountMinor: transfer.amountMinor, currency: transfer.currency, detectedAt: at, updatedAt: at,
    ...(transfer.receiver.kind === 'bank' && transfer.status === 'TRANSFER-SUCCESS' ? { indexKey: uncheckedReportIndexKey } : {}),
  };
  const audit = await buildAuditEntry(deps, transfer.tenantId, at, {
    stream: `txn:${transfer.reference}`, action: 'failure.customer_report', initiator: reportedBy, transactionId: transfer.reference,
    status: failed.status, reason: internalDone
      ? 'reported by the customer; the internal transfer completed in our ledger: nothing to reverse'
      : 'reported by the customer; the status query decides the outcome, never the report alone',
    details: { response: { failed_transaction_id: failed.id, transfer_status: transfer.status } },
  });
  return {
    failed,
    records: [failedTransactionWrite(failed, 0), transferWrite({ ...transfer, version: transfer.version + 1, failedTransactionId: failed.id, updatedAt: at }, transfer.version)],
    audit,
  };
}

/**
 * Queries the switch about a reported other-bank transfer our ledger shows as paid, and
 * records what it says on the failed transaction (version-checked: a second check finds
 * it decided and does nothing). An answer that is not definite leaves it investigating,
 * on the detection sweep's list (a crash before the check leaves it there too). Answers
 * whether this call decided it.
 */
export async function checkCustomerReport(deps: Dependencies, tenantId: TenantId, transferReference: string): Promise<boolean> {
  const transferRecord = await deps.store.getRecord(tenantId, transferKind, transferReference);
  if (transferRecord === null) return false;
  const transfer = transferFromRecord(transferRecord);
  if (transfer.receiver.kind !== 'bank' || transfer.status !== 'TRANSFER-SUCCESS' || transfer.failedTransactionId === undefined) return false;
  const failedRecord = await deps.store.getRecord(tenantId, failedTransactionKind, transfer.failedTransactionId);
  if (failedRecord === null) return false;
  const failed = failedTransactionFromRecord(failedRecord);
  if (failed.failureType !== 'customer_report' || failed.status !== 'investigating') return false;
  const { outcome } = await queryTransfer(deps, transfer);
  const definiteFailure = outcome.kind === 'declined' || (outcome.kind === 'error' && !outcome.retryable);
  if (outcome.kind !== 'approved' && !definiteFailure) return false;
  const at = deps.clock.now();
  const { indexKey: _checked, ...unindexed } = failed;
  const decided: FailedTransaction = { ...unindexed, status: outcome.kind === 'approved' ? 'resolved' : 'escalated', outcomeCode: outcome.code, updatedAt: at };
  const reason = outcome.kind === 'approved'
    ? 'status query: the beneficiary bank credited the transfer; not reversed'
    : `status query contradicts the ledger (${outcome.message}); a person must decide, nothing is reversed automatically`;
  const audit = await buildAuditEntry(deps, tenantId, at, {
    stream: `txn:${transfer.reference}`, action: 'failure.customer_report_checked', initiator: customerReportInitiator, transactionId: transfer.reference,
    status: decided.status, reason, details: { response: { code: outcome.code, failed_transaction_id: failed.id } },
  });
  const incident = decided.status === 'escalated' ? await failureIncidentWrites(deps, significantFailure(decided, true, reason), at) : { records: [], audit: [] };
  // A lost race only means another check (or the sweep) decided it first.
  const committed = await deps.store.commit({ tenantId, at, records: [failedTransactionWrite(decided, failed.version), ...incident.records], audit: [audit, ...incident.audit] });
  return committed.ok;
}

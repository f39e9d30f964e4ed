// Opening a dispute (D1): a customer reports a failed transaction or a transfer. A
// transfer with no failed transaction yet gets one, detected by `customer_report`, in the
// same changeset (V2; customer-report.ts says how its outcome is decided).
// The resolution deadline comes from the tenant's timeline rules and holiday calendar at
// creation; the case, its reference counter, the audit entry and the idempotency record
// commit together.
import type { TenantId } from '../../domain/ids.ts';
import { formatAmount } from '../../domain/money/money.ts';
import { refuse, type Result } from '../../domain/result.ts';
import type { DisputePriority } from '../../domain/disputes/dispute-lifecycle.ts';
import { disputeReference } from '../../domain/disputes/dispute-lifecycle.ts';
import { lagosDateOf, yearOf } from '../../domain/timelines/lagos-dates.ts';
import { deadlineFor } from '../../domain/timelines/timeline-rules.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import { tenantTimelineRules } from '../calendar/calendar.ts';
import { tenantCalendar } from '../calendar/holiday-overrides.ts';
import { decideAndCommit, type Decision } from '../shared/commit.ts';
import { completedKeyWrite, completedReplay, type IdempotencyRequest } from '../shared/idempotency.ts';
import { requestHash } from '../shared/request-hash.ts';
import { storeReply, type StoredReply } from '../shared/reply.ts';
import { failedTransactionFromRecord, failedTransactionKind, type FailedTransaction } from '../reversals/failed-transaction-record.ts';
import { transferFromRecord, transferKind } from '../transfers/transfer-record.ts';
import { disputeSequenceKind, disputeWrite, type Dispute } from './dispute-record.ts';
import { claimYearlyReference, type ClaimedReference } from '../shared/yearly-reference.ts';
import { disputeView } from './dispute-view.ts';
import { checkCustomerReport, reportedFailure } from './customer-report.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export type OpenDisputeInput = {
  readonly failedTransactionId?: string;
  readonly transferReference?: string;
  readonly customerId: string;
  readonly reason: string;
  readonly priority: DisputePriority;
};
export type OpenDisputeCode = 'failed_transaction_not_found' | 'transfer_not_found' | 'idempotency_key_reused' | 'conflict' | 'insufficient_funds';

function claimDisputeReference(deps: Dependencies, tenantId: TenantId, at: number): Promise<ClaimedReference> {
  return claimYearlyReference(deps.store, tenantId, disputeSequenceKind, at, disputeReference);
}

export async function openDispute(deps: Dependencies, principal: TenantPrincipal, input: OpenDisputeInput, idempotencyKey: string | null): Promise<Result<StoredReply, OpenDisputeCode>> {
  const key = idempotencyKey === null ? null : { key: idempotencyKey, requestHash: requestHash('dispute-open', input) };
  const opened = await decideAndCommit(deps.store, () => decideOpen(deps, principal, input, key));
  // The status query decides a reported transfer our ledger shows as paid (never the report alone).
  if (opened.ok && input.transferReference !== undefined) await checkCustomerReport(deps, principal.tenantId, input.transferReference);
  return opened;
}

async function failedTransactionOf(deps: Dependencies, tenantId: TenantId, input: OpenDisputeInput): Promise<Result<{ reference: string; failed: FailedTransaction | null }, 'failed_transaction_not_found'>> {
  if (input.failedTransactionId === undefined) return { ok: true, value: { reference: input.transferReference ?? '', failed: null } };
  const record = await deps.store.getRecord(tenantId, failedTransactionKind, input.failedTransactionId);
  if (record === null) return refuse('failed_transaction_not_found', 'failed_transaction_id');
  const failed = failedTransactionFromRecord(record);
  return { ok: true, value: { reference: failed.transferReference, failed } };
}

async function decideOpen(deps: Dependencies, principal: TenantPrincipal, input: OpenDisputeInput, key: IdempotencyRequest | null): Promise<Decision<StoredReply, OpenDisputeCode>> {
  const replay = await completedReplay(deps.store, principal.tenantId, key);
  if (replay !== null) return replay;
  const subject = await failedTransactionOf(deps, principal.tenantId, input);
  if (!subject.ok) return subject;
  const transferRecord = await deps.store.getRecord(principal.tenantId, transferKind, subject.value.reference);
  if (transferRecord === null) return refuse('transfer_not_found', 'transfer_reference');
  const transfer = transferFromRecord(transferRecord);
  const failedRecord = subject.value.failed !== null || transfer.failedTransactionId === undefined
    ? null : await deps.store.getRecord(principal.tenantId, failedTransactionKind, transfer.failedTransactionId);
  const at = deps.clock.now();
  const openedBy = initiatorOf(principal);
  const reported = subject.value.failed === null && transfer.failedTransactionId === undefined ? await reportedFailure(deps, transfer, openedBy, at) : null;
  const failed = subject.value.failed ?? reported?.failed ?? (failedRecord === null ? null : failedTransactionFromRecord(failedRecord));
  const year = yearOf(lagosDateOf(at));
  const [calendar, rules] = await Promise.all([tenantCalendar(deps, principal.tenantId, { fromYear: year, toYear: year + 1 }), tenantTimelineRules(deps, principal.tenantId)]);
  const deadline = deadlineFor(rules, {
    openedAt: at, channel: transfer.channel, failureType: failed?.failureType ?? 'customer_report', amountMinor: transfer.amountMinor, currency: transfer.currency,
  }, calendar);
  const claimed = await claimDisputeReference(deps, principal.tenantId, at);
  const dispute: Dispute = {
    tenantId: principal.tenantId, id: claimed.id, version: 0, status: 'open', priority: input.priority, transferReference: transfer.reference,
    failedTransactionId: failed?.id ?? null, detectionMethod: failed?.detectionMethod ?? 'customer_report', customerId: input.customerId,
    reason: input.reason, assignedTo: null, resolution: null, channel: transfer.channel, amountMinor: transfer.amountMinor, currency: transfer.currency,
    rule: deadline.rule, dueAt: deadline.dueAt, failedAt: failed?.detectedAt ?? at, penaltyExposureMinor: null, escalatedAt: null,
    openedBy, createdAt: at, updatedAt: at,
  };
  const reply = { statusCode: 201, body: { message: 'Dispute opened.', ...disputeView(dispute) } };
  const audit = await buildAuditEntry(deps, principal.tenantId, at, {
    stream: `txn:${transfer.reference}`, action: 'dispute.opened', initiator: openedBy, transactionId: transfer.reference,
    amount: formatAmount(transfer.amountMinor, transfer.currency), currency: transfer.currency, status: 'open', reason: input.reason,
    details: { response: { dispute_reference: dispute.id, priority: dispute.priority, rule: deadline.rule, due_at: new Date(deadline.dueAt).toISOString() } },
  });
  return {
    ok: true, value: storeReply(reply),
    changeset: {
      tenantId: principal.tenantId, at,
      records: [disputeWrite(dispute, 0), claimed.write, ...(reported?.records ?? []), ...(key === null ? [] : [completedKeyWrite(key, reply)])],
      audit: [...(reported === null ? [] : [reported.audit]), audit],
    },
  };
}

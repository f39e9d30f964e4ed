// Commits what the switch answered about a transfer (V1, V3). Success posts the sender's
// hold to the receiver (a late success too: it is credited, never reversed); a definite
// failure is recorded and reversed as the tenant's rules say; an uncertain answer (01,
// 09, 97, no answer) keeps the hold, opens a failed transaction under investigation and
// schedules the next status query with backoff, until the attempt limit escalates it to
// a person. Whoever commits first (the request, the requery job, the sweep) wins; the
// others find the transfer settled and change nothing.
import type { TransferId } from '../../domain/ids.ts';
import { notificationRecord } from '../notifications/enqueue-notification.ts';
import { invariant } from '../../domain/invariant.ts';
import { failureTypeOf, type FailureType } from '../../domain/interbank/failure-type.ts';
import { formatAmount } from '../../domain/money/money.ts';
import type { ProcessorOutcome } from '../../domain/processors/outcome.ts';
import { resolveHold } from '../../domain/refunds/refund-journal.ts';
import { ok, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry, type AuditFields } from '../audit/audit-entry.ts';
import type { Answer } from '../payments/ask-processor.ts';
import type { ProcessorState } from '../payments/payment-record.ts';
import { decideAndCommit, type Decision } from '../shared/commit.ts';
import { KeyedLock } from '../shared/keyed-lock.ts';
import { yearlyReferenceLockKey, yearlyReferenceLocks } from '../shared/yearly-reference.ts';
import { failedTransactionFromRecord, failedTransactionKind, failedTransactionWrite, type FailedTransaction } from '../reversals/failed-transaction-record.ts';
import { reversalFromRecord, reversalKind, reversalWrite, type Reversal } from '../reversals/reversal-record.ts';
import type { JsonObject, RecordWrite } from '../ports/store.ts';
import { transferFromRecord, transferKind, transferWrite, type MoneyTransfer } from './transfer-record.ts';
import { transferReply } from './transfer-view.ts';
import { definiteFailureChangeset, detectedFailure, significantFailure } from './transfer-failure.ts';
import { failureIncidentWrites } from '../compliance/open-incident.ts';

/** Work on one transfer is queued in this process; versions guard across processes. */
export const transferLocks = new KeyedLock();
/** The longest wait between two status queries of one transfer. */
export const requeryBackoffMsMax = 60 * 60_000;
/** Who closes a reversal still waiting when a status query finds the transfer credited. */
const requeryCloser = 'system:requery';

export function transferLockKey(transfer: Pick<MoneyTransfer, 'tenantId' | 'reference'>): string {
  return `${transfer.tenantId}/transfer/${transfer.reference}`;
}

export type SettleOptions = { readonly countsAsRequery: boolean; readonly initiator: string };

export function withFirstReply(transfer: MoneyTransfer): MoneyTransfer {
  const reply = transferReply(transfer);
  return { ...transfer, firstReply: { statusCode: reply.statusCode, bodyText: JSON.stringify(reply.body) } };
}

export async function readTransfer(deps: Dependencies, transfer: Pick<MoneyTransfer, 'tenantId' | 'reference'>): Promise<MoneyTransfer> {
  const record = await deps.store.getRecord(transfer.tenantId, transferKind, transfer.reference);
  invariant(record !== null, `transfer ${transfer.reference} vanished`);
  return transferFromRecord(record);
}

async function openFailure(deps: Dependencies, transfer: MoneyTransfer): Promise<FailedTransaction | null> {
  if (transfer.failedTransactionId === undefined) return null;
  const record = await deps.store.getRecord(transfer.tenantId, failedTransactionKind, transfer.failedTransactionId);
  return record === null ? null : failedTransactionFromRecord(record);
}

/** Commits an answer (null: none was needed) to the transfer as it is now in the store. */
export async function applyTransferAnswer(deps: Dependencies, subject: MoneyTransfer, answer: Answer | null, options: SettleOptions): Promise<Result<MoneyTransfer, 'conflict' | 'insufficient_funds'>> {
  const settle = () => decideAndCommit<MoneyTransfer, never>(deps.store, async () => {
    const current = await readTransfer(deps, subject);
    // An escalated transfer still takes a late success: it is credited, never reversed.
    const open = current.status === 'TRANSFER-PENDING' || (current.status === 'TRANSFER-ESCALATED' && answer?.outcome.kind === 'approved');
    if (!open || answer === null) return rememberFirstReply(deps, current, options);
    return decideAnswer(deps, current, answer, options);
  });
  // Any answer but a success may claim a reversal or incident reference (yearly-reference.ts).
  const claimsReferences = answer !== null && answer.outcome.kind !== 'approved';
  const settled = await transferLocks.run(transferLockKey(subject), () =>
    (claimsReferences ? yearlyReferenceLocks.run(yearlyReferenceLockKey(subject.tenantId), settle) : settle()));
  return settled.ok ? ok(settled.value) : settled;
}

function rememberFirstReply(deps: Dependencies, transfer: MoneyTransfer, options: SettleOptions): Decision<MoneyTransfer, never> {
  if (options.countsAsRequery || transfer.firstReply !== undefined) return { ok: true, changeset: null, value: transfer };
  const remembered = withFirstReply({ ...transfer, version: transfer.version + 1 });
  return { ok: true, value: remembered, changeset: { tenantId: transfer.tenantId, at: deps.clock.now(), records: [transferWrite(remembered, transfer.version)] } };
}

function railState(outcome: ProcessorOutcome, answer: Answer, previous: ProcessorState): ProcessorState {
  const reference = outcome.processorReference ?? previous.reference;
  return {
    outcome: outcome.kind, code: outcome.code, message: outcome.message,
    ...(reference === undefined ? {} : { reference }),
    ...(answer.rawReply === null ? {} : { rawReply: answer.rawReply }),
  };
}

async function decideAnswer(deps: Dependencies, transfer: MoneyTransfer, answer: Answer, options: SettleOptions): Promise<Decision<MoneyTransfer, never>> {
  const { outcome } = answer;
  const rail = railState(outcome, answer, transfer.rail);
  const existing = await openFailure(deps, transfer);
  const at = deps.clock.now();
  if (outcome.kind === 'approved') return settleSuccess(deps, transfer, existing, rail, options, at);
  if (outcome.kind === 'declined' || (outcome.kind === 'error' && !outcome.retryable)) {
    const failed = await definiteFailureChangeset(deps, { transfer, existing, outcome, rail, initiator: options.initiator, rememberReply: !options.countsAsRequery, at });
    return { ok: true, value: failed.transfer, changeset: failed.changeset };
  }
  return stillUnknown(deps, transfer, existing, outcome, rail, options, at);
}

/**
 * How a success is settled: by the switch's answer (the default), or by a person who
 * asserts the beneficiary was paid when the status query cannot say (a "paid" rejection
 * of a reversal). The audit action, reason and details, the ledger entry's details and
 * how a reversal still waiting is closed follow from it.
 */
export type SuccessSettler = {
  readonly initiator: string;
  readonly countsAsRequery: boolean;
  readonly confirmation?: {
    readonly action: string;
    readonly reason: string;
    readonly reversalId: string;
    readonly resolvedOutcomeCode: string;
    readonly auditDetails: NonNullable<AuditFields['details']>;
    readonly ledgerDetails: JsonObject;
    readonly closeReversal: (reversal: Reversal, at: number) => Reversal;
  };
};

function closedByRequery(reversal: Reversal, at: number): Reversal {
  return { ...reversal, status: 'REJECTED', decidedBy: requeryCloser, decisionReason: 'the transfer succeeded after all (late success): never reversed', updatedAt: at };
}

/** Settles a transfer as a success on the switch's answer (or a person's confirmation): the hold posted, every record in one changeset. */
export async function settleAsSuccess(deps: Dependencies, transfer: MoneyTransfer, answer: Answer, settler: SuccessSettler): Promise<Decision<MoneyTransfer, never>> {
  return settleSuccess(deps, transfer, await openFailure(deps, transfer), railState(answer.outcome, answer, transfer.rail), settler, deps.clock.now());
}

async function settleSuccess(deps: Dependencies, transfer: MoneyTransfer, existing: FailedTransaction | null, rail: ProcessorState, settler: SuccessSettler, at: number): Promise<Decision<MoneyTransfer, never>> {
  const hold = await deps.store.getTransfer(transfer.tenantId, transfer.journalTransferId);
  invariant(hold !== null, `transfer ${transfer.reference}: hold vanished`);
  const posting = resolveHold(hold, 'post_pending', deps.ids.next('trf') as TransferId);
  let settled: MoneyTransfer = { ...transfer, version: transfer.version + 1, status: 'TRANSFER-SUCCESS', rail, ledgerSequence: transfer.ledgerSequence + 1, updatedAt: at };
  if (!settler.countsAsRequery && settled.firstReply === undefined) settled = withFirstReply(settled);
  const late = existing !== null;
  const confirmation = settler.confirmation;
  const audit = await buildAuditEntry(deps, transfer.tenantId, at, {
    stream: `txn:${transfer.reference}`, action: confirmation?.action ?? (late ? 'transfer.late_success' : 'transfer.succeeded'), initiator: settler.initiator,
    transactionId: transfer.reference, amount: formatAmount(transfer.amountMinor, transfer.currency), currency: transfer.currency,
    status: 'TRANSFER-SUCCESS', reason: confirmation?.reason ?? rail.message,
    ...(confirmation === undefined ? {} : { reversalId: confirmation.reversalId, details: confirmation.auditDetails }),
  });
  const outcomeCode = confirmation?.resolvedOutcomeCode ?? 'approved';
  const resolved = existing === null ? [] : [failedTransactionWrite({ ...existing, status: 'resolved', outcomeCode, updatedAt: at }, existing.version)];
  const withdrawn = await withdrawnReversal(deps, transfer, at, confirmation?.closeReversal ?? closedByRequery);
  return {
    ok: true, value: settled,
    changeset: {
      tenantId: transfer.tenantId, at, transfers: [posting],
      records: [transferWrite(settled, transfer.version), ...resolved, ...withdrawn],
      ledgerEntries: [{ transactionId: transfer.reference, sequence: settled.ledgerSequence, status: 'TRANSFER-SUCCESS', at, transferIds: [posting.id], details: { code: rail.code, late_success: late, ...confirmation?.ledgerDetails } }],
      audit: [audit],
    },
  };
}

/** A reversal still waiting for approval when the transfer turns out to have succeeded is closed, never executed. */
async function withdrawnReversal(deps: Dependencies, transfer: MoneyTransfer, at: number, close: (reversal: Reversal, at: number) => Reversal): Promise<RecordWrite[]> {
  if (transfer.reversalId === undefined) return [];
  const record = await deps.store.getRecord(transfer.tenantId, reversalKind, transfer.reversalId);
  if (record === null) return [];
  const reversal = reversalFromRecord(record);
  if (reversal.status !== 'PENDING_APPROVAL') return [];
  return [reversalWrite(close(reversal, at), reversal.version)];
}

/** Timeouts and status-unknown answers keep their own type; any other retryable answer is "status unknown". */
function uncertainType(code: string): FailureType {
  const type = failureTypeOf(code);
  return type === 'timeout' ? 'timeout' : 'status_unknown';
}

export function nextQueryDelayMs(deps: Dependencies, attempts: number): number {
  return Math.min(deps.settings.requeryDelayMs * 2 ** Math.min(attempts, 16), requeryBackoffMsMax);
}

async function stillUnknown(
  deps: Dependencies, transfer: MoneyTransfer, existing: FailedTransaction | null, outcome: ProcessorOutcome, rail: ProcessorState, options: SettleOptions, at: number,
): Promise<Decision<MoneyTransfer, never>> {
  const attempts = transfer.queryAttempts + (options.countsAsRequery ? 1 : 0);
  const escalate = attempts >= deps.settings.requeryAttemptsMax;
  const firstUncertainCode = transfer.firstUncertainCode ?? outcome.code;
  let next: MoneyTransfer = {
    ...transfer, version: transfer.version + 1, rail, firstUncertainCode, queryAttempts: attempts, nextQueryAt: at + nextQueryDelayMs(deps, attempts), updatedAt: at,
    status: escalate ? 'TRANSFER-ESCALATED' : 'TRANSFER-PENDING', ledgerSequence: transfer.ledgerSequence + (escalate ? 1 : 0),
  };
  const detected = detectedFailure(deps, transfer, existing, existing?.failureType ?? uncertainType(firstUncertainCode), outcome.code, at);
  const failed: FailedTransaction = { ...detected, status: escalate ? 'escalated' : 'investigating' };
  next = { ...next, failedTransactionId: failed.id };
  if (!options.countsAsRequery && next.firstReply === undefined) next = withFirstReply(next);
  const audit = await buildAuditEntry(deps, transfer.tenantId, at, {
    stream: `txn:${transfer.reference}`, action: escalate ? 'transfer.escalated' : 'transfer.still_unknown', initiator: options.initiator,
    transactionId: transfer.reference, amount: formatAmount(transfer.amountMinor, transfer.currency), currency: transfer.currency,
    status: next.status, reason: outcome.message,
    details: { response: { code: outcome.code, query_attempts: attempts, failure_type: failed.failureType, failed_transaction_id: failed.id } },
  });
  const incident = await failureIncidentWrites(deps, significantFailure(failed, escalate, outcome.message), at);
  return {
    ok: true, value: next,
    changeset: {
      tenantId: transfer.tenantId, at,
      records: [
        transferWrite(next, transfer.version), failedTransactionWrite(failed, existing?.version ?? 0), ...incident.records,
        ...(escalate ? [notificationRecord(deps.ids, transfer.tenantId, at, {
          audience: 'operations', template: 'transfer.escalated', source: `transfer:${transfer.reference}`,
          data: { transfer_reference: transfer.reference, failed_transaction_id: failed.id, query_attempts: String(attempts) },
        })] : []),
      ],
      ...(escalate ? { ledgerEntries: [{ transactionId: transfer.reference, sequence: next.ledgerSequence, status: 'TRANSFER-ESCALATED', at, transferIds: [], details: { query_attempts: attempts } }] } : {}),
      audit: [audit, ...incident.audit],
      ...(escalate ? { outbox: [{ id: deps.ids.next('out'), topic: 'notification.operations', at, payload: { template: 'transfer_escalated', transfer_reference: transfer.reference, failed_transaction_id: failed.id } }] } : {}),
    },
  };
}

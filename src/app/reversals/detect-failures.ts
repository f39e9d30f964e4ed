// The detection sweep (V2), the safety net behind detection as it happens: (1) orphaned
// debits — transfers whose hold is still unconfirmed past the grace period (a lost reply,
// a crash between the debit and recording the answer) are status-queried now, whatever
// their backoff, and settled by what the switch says; one still unknown is marked an
// orphaned debit; (1b) customer reports of transfers we show as paid that no status query
// has decided yet are queried again (customer-report.ts); (2) system-glitch bursts — many 91/96 failures at one bank within the
// window — raise one alert per bank and window for operations, with one incident report
// (D3) listing the burst's transfers. Safe to run twice at once: every write is
// version-checked and an alert's id is its bank and window.
import type { TenantId } from '../../domain/ids.ts';
import { notificationRecord } from '../notifications/enqueue-notification.ts';
import { findGlitchBursts, type GlitchBurst, type GlitchFailure } from '../../domain/reversals/glitch-bursts.ts';
import { incidentWrites, triggerEnabled, type IncidentWrites } from '../compliance/open-incident.ts';
import type { IncidentTransaction } from '../compliance/incident-record.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { visitIndexed, visitLongestWaiting } from '../shared/visit-indexed.ts';
import { countItemError, noItemErrors, type ItemErrors } from '../shared/item-errors.ts';
import { emptyRequeryReport, requeryTransfer, type TransferRequeryReport } from '../transfers/requery-transfers.ts';
import { pendingTransferIndexKey, transferFromRecord, transferKind, type MoneyTransfer } from '../transfers/transfer-record.ts';
import { checkCustomerReport, uncheckedReportIndexKey } from '../disputes/customer-report.ts';
import { failedTransactionFromRecord, failedTransactionIdFor, failedTransactionKind, failedTransactionWrite, glitchIndexKey } from './failed-transaction-record.ts';

export const detectionBatchMax = 100;
export const glitchAlertKind = 'glitch_alert';
export const detectionInitiator = 'system:detection';
/** Glitch failures read per bucket at most; a burst is flagged long before this. */
const glitchScanMax = 1000;

export type DetectionReport = TransferRequeryReport & ItemErrors & { orphanedDebits: number; customerReportsChecked: number; glitchBursts: (GlitchBurst & { tenantId: string; alertId: string; new: boolean })[] };

export async function detectFailures(deps: Dependencies, options: { tenantId?: TenantId } = {}): Promise<DetectionReport> {
  const report: DetectionReport = { ...emptyRequeryReport(), ...noItemErrors(), orphanedDebits: 0, customerReportsChecked: 0, glitchBursts: [] };
  // Each item on its own: one that cannot be read or settled is counted and left for the
  // next run, and the sweep goes on with the items after it and with the burst scan.
  // Orphaned debits are queried whatever their backoff, so each run would find the same
  // first hundred again: the one left alone longest (since its grace period ended or its
  // last write, such as the last query) goes first, in every tenant.
  await visitLongestWaiting(deps.store, { kind: transferKind, indexKey: pendingTransferIndexKey, limit: detectionBatchMax }, report, (record) => {
    if (options.tenantId !== undefined && record.tenantId !== options.tenantId) return null;
    const transfer = transferFromRecord(record);
    const graceEndsAt = transfer.createdAt + deps.settings.orphanGraceMs;
    return graceEndsAt <= deps.clock.now() ? { dueAt: Math.max(graceEndsAt, transfer.updatedAt), item: transfer } : null;
  }, async (transfer) => {
    report.examined++;
    await requeryOrphan(deps, transfer, report);
  });
  await visitIndexed(deps.store, { kind: failedTransactionKind, indexKey: uncheckedReportIndexKey, limit: detectionBatchMax }, async (record) => {
    if (options.tenantId !== undefined && record.tenantId !== options.tenantId) return false;
    try {
      if (await checkCustomerReport(deps, record.tenantId, failedTransactionFromRecord(record).transferReference)) report.customerReportsChecked++;
    } catch (error) {
      countItemError(report, record.tenantId, record.id, error);
    }
    return true;
  });
  const tenants = options.tenantId === undefined ? await deps.store.listTenantIds() : [options.tenantId];
  for (const tenantId of tenants) {
    try {
      report.glitchBursts.push(...await glitchBurstsOf(deps, tenantId));
    } catch (error) {
      countItemError(report, tenantId, glitchAlertKind, error);
    }
  }
  return report;
}

/**
 * A debit past its grace period: status-queried now, whatever its backoff, and marked an
 * orphaned debit when the switch still does not know (the sweep and reconciliation, V6).
 */
export async function requeryOrphan(deps: Dependencies, transfer: MoneyTransfer, report: TransferRequeryReport & { orphanedDebits: number }, initiator = detectionInitiator): Promise<void> {
  const before = report.stillPending;
  await requeryTransfer(deps, transfer, report, initiator);
  if (report.stillPending > before) {
    report.orphanedDebits++;
    await markOrphaned(deps, transfer.tenantId, transfer.failedTransactionId ?? failedTransactionIdFor(transfer.reference));
  }
}

async function markOrphaned(deps: Dependencies, tenantId: TenantId, failedId: string): Promise<void> {
  const record = await deps.store.getRecord(tenantId, failedTransactionKind, failedId);
  if (record === null) return;
  const failed = failedTransactionFromRecord(record);
  if (failed.failureType === 'orphaned_debit' || failed.status !== 'investigating') return;
  const at = deps.clock.now();
  const audit = await buildAuditEntry(deps, tenantId, at, {
    stream: `txn:${failed.transferReference}`, action: 'failure.orphaned_debit', initiator: detectionInitiator, transactionId: failed.transferReference,
    status: 'ORPHANED', reason: 'the debit is still unconfirmed after the grace period; status queries continue',
  });
  // A lost race only means another sweep marked it first.
  await deps.store.commit({ tenantId, at, records: [failedTransactionWrite({ ...failed, failureType: 'orphaned_debit', updatedAt: at }, failed.version)], audit: [audit] });
}

async function glitchBurstsOf(deps: Dependencies, tenantId: TenantId): Promise<DetectionReport['glitchBursts']> {
  const now = deps.clock.now();
  const windowMs = deps.settings.glitchWindowMs;
  const failures: (GlitchFailure & IncidentTransaction)[] = [];
  for (const indexKey of new Set([glitchIndexKey(now - windowMs, windowMs), glitchIndexKey(now, windowMs)])) {
    let cursor: string | undefined;
    do {
      const page = await deps.store.listRecords(tenantId, failedTransactionKind, { indexKey, limit: 200, ...(cursor === undefined ? {} : { cursor }) });
      for (const record of page.items) {
        const failed = failedTransactionFromRecord(record);
        if (failed.bankCode !== null) {
          failures.push({ bankCode: failed.bankCode, at: failed.detectedAt, reference: failed.transferReference, amountMinor: failed.amountMinor, currency: failed.currency });
        }
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && failures.length < glitchScanMax);
  }
  const found: DetectionReport['glitchBursts'] = [];
  for (const burst of findGlitchBursts(failures, now, windowMs, deps.settings.glitchBurstThreshold)) {
    const alertId = `${burst.bankCode}:${glitchIndexKey(now, windowMs)}`;
    const audit = await buildAuditEntry(deps, tenantId, now, {
      stream: 'glitch_alerts', action: 'failure.glitch_burst', initiator: detectionInitiator, status: 'ALERT',
      reason: `${burst.count} system-glitch failures (91/96) at bank ${burst.bankCode} within ${Math.round(windowMs / 60_000)} minutes`,
    });
    const incident = await burstIncident(deps, tenantId, burst, alertId, failures, now);
    const committed = await deps.store.commit({
      tenantId, at: now,
      records: [
        ...incident.records,
        { kind: glitchAlertKind, id: alertId, expectedVersion: 0, body: { bank_code: burst.bankCode, count: burst.count, window_start_at: burst.windowStartAt, window_end_at: burst.windowEndAt } },
        notificationRecord(deps.ids, tenantId, now, {
          audience: 'operations', template: 'failure.burst', source: `glitch_alert:${alertId}`,
          data: { bank_code: burst.bankCode, count: String(burst.count), window_minutes: String(Math.round(windowMs / 60_000)) },
        }),
      ],
      audit: [audit, ...incident.audit],
      outbox: [{ id: deps.ids.next('out'), topic: 'notification.operations', at: now, payload: { template: 'glitch_burst', bank_code: burst.bankCode, count: burst.count } }],
    });
    found.push({ ...burst, tenantId, alertId, new: committed.ok });
  }
  return found;
}

/** One incident report (D3) per burst, listing the burst's transfers, when the tenant reports bursts. */
async function burstIncident(
  deps: Dependencies, tenantId: TenantId, burst: GlitchBurst, alertId: string, failures: readonly (GlitchFailure & IncidentTransaction)[], now: number,
): Promise<IncidentWrites> {
  if (!await triggerEnabled(deps, tenantId, 'glitch_burst')) return { records: [], audit: [] };
  const transactions = failures
    .filter((failure) => failure.bankCode === burst.bankCode && failure.at >= burst.windowStartAt && failure.at <= burst.windowEndAt)
    .map(({ reference, amountMinor, currency }) => ({ reference, amountMinor, currency }));
  return incidentWrites(deps, {
    tenantId, source: `burst:${alertId}`, type: 'SYSTEM_GLITCH_BURST', trigger: 'glitch_burst', transactions,
    failureReason: `${burst.count} system-glitch failures (91/96) at bank ${burst.bankCode} within ${Math.round(deps.settings.glitchWindowMs / 60_000)} minutes`,
    channel: 'nip', failureType: 'system_glitch', detectedAt: now,
  }, now);
}

// The escalation job (D1): an open or investigating dispute past its resolution deadline
// becomes `escalated` (once: a case the job escalated that a person takes back to
// investigating is theirs to work), records its potential penalty exposure (default
// policy: ₦10,000 per NIP item not reversed within 24 h) and enqueues the `dispute.overdue` operations
// notification, all in one commit, with the case's incident report (D3) when the tenant
// reports dispute breaches. Incidents past their resolution target are flagged overdue
// once. Safe to run twice at once: the dispute and incident writes are version-checked,
// so only one run escalates a case or flags an incident, and only that run's notice exists.
import type { TenantId } from '../../domain/ids.ts';
import { watchedDisputeStatuses } from '../../domain/disputes/dispute-lifecycle.ts';
import { defaultPenaltyPolicy, penaltyExposureMinor, type PenaltySubject } from '../../domain/timelines/penalty-exposure.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { notificationRecord } from '../notifications/enqueue-notification.ts';
import { visitIndexed } from '../shared/visit-indexed.ts';
import { countItemError, noItemErrors, type ItemErrors } from '../shared/item-errors.ts';
import { failedTransactionFromRecord, failedTransactionKind } from '../reversals/failed-transaction-record.ts';
import { incidentWrites, triggerEnabled } from '../compliance/open-incident.ts';
import { flagOverdueIncidents } from '../compliance/incidents.ts';
import { disputeFromRecord, disputeIndexKey, disputeKind, disputeWrite, type Dispute } from './dispute-record.ts';

/** Cases examined per status in one run at most; the next run continues. */
export const escalationBatchMax = 100;
export const escalationInitiator = 'system:disputes';

export type EscalationReport = { examined: number; escalated: number; penaltyExposureMinor: string; overdueIncidents: number } & ItemErrors;

/**
 * How the disputed item stands for the penalty: when it was credited back (null while it is
 * not), or found paid after all by the status query (a late success, a customer report the
 * switch contradicts, a reversal rejected as paid) — then it never was a failed item.
 */
async function penaltySubject(deps: Dependencies, dispute: Dispute): Promise<PenaltySubject> {
  const unreversed: PenaltySubject = { channel: dispute.channel, failedAt: dispute.failedAt, reversedAt: null };
  if (dispute.failedTransactionId === null) return unreversed;
  const record = await deps.store.getRecord(dispute.tenantId, failedTransactionKind, dispute.failedTransactionId);
  if (record === null) return unreversed;
  const failed = failedTransactionFromRecord(record);
  return { ...unreversed, reversedAt: failed.status === 'reversed' ? failed.updatedAt : null, resolvedAsSuccess: failed.status === 'resolved' };
}

export async function escalateOverdueDisputes(deps: Dependencies, options: { tenantId?: TenantId } = {}): Promise<EscalationReport> {
  let examined = 0;
  let escalated = 0;
  let exposure = 0n;
  const errors = noItemErrors();
  for (const status of watchedDisputeStatuses) {
    await visitIndexed(deps.store, { kind: disputeKind, indexKey: disputeIndexKey(status), limit: escalationBatchMax }, async (record) => {
      if (options.tenantId !== undefined && record.tenantId !== options.tenantId) return false;
      // Each case on its own: one that cannot be read or escalated is counted and left for the
      // next run, and the job goes on with the cases after it and with the incidents.
      try {
        const dispute = disputeFromRecord(record);
        // Escalated for being overdue once: the deadline never moves, so a case a person took
        // back to investigating would otherwise be escalated (and notified) again at every run.
        if (deps.clock.now() <= dispute.dueAt || dispute.escalatedAt !== null) return false;
        examined++;
        const penalty = await escalateOne(deps, dispute);
        if (penalty !== null) {
          escalated++;
          exposure += penalty;
        }
      } catch (error) {
        countItemError(errors, record.tenantId, record.id, error);
      }
      return true;
    });
  }
  const overdueIncidents = await flagOverdueIncidents(deps, options, errors);
  return { examined, escalated, penaltyExposureMinor: exposure.toString(), overdueIncidents, ...errors };
}

/** The exposure recorded, or null when another run escalated (or someone changed) the case first. */
async function escalateOne(deps: Dependencies, dispute: Dispute): Promise<bigint | null> {
  const at = deps.clock.now();
  const penalty = penaltyExposureMinor(defaultPenaltyPolicy, await penaltySubject(deps, dispute), at);
  const escalated: Dispute = { ...dispute, status: 'escalated', penaltyExposureMinor: penalty, escalatedAt: at, updatedAt: at };
  const dueAt = new Date(dispute.dueAt).toISOString();
  const audit = await buildAuditEntry(deps, dispute.tenantId, at, {
    stream: `txn:${dispute.transferReference}`, action: 'dispute.escalated', initiator: escalationInitiator, transactionId: dispute.transferReference,
    status: 'escalated', reason: `past its resolution deadline ${dueAt} (rule ${dispute.rule})`,
    details: { response: { dispute_reference: dispute.id, from_status: dispute.status, penalty_exposure_minor: penalty.toString(), currency: defaultPenaltyPolicy.currency } },
  });
  const incident = await triggerEnabled(deps, dispute.tenantId, 'dispute_overdue')
    ? await incidentWrites(deps, {
      tenantId: dispute.tenantId, source: `dispute:${dispute.id}`, type: 'FAILED_ELECTRONIC_PAYMENT', trigger: 'dispute_overdue',
      transactions: [{ reference: dispute.transferReference, amountMinor: dispute.amountMinor, currency: dispute.currency }],
      failureReason: `dispute ${dispute.id} passed its resolution deadline ${dueAt}: ${dispute.reason}`,
      channel: dispute.channel, failureType: 'dispute_overdue', detectedAt: at,
    }, at)
    : { records: [], audit: [] };
  const committed = await deps.store.commit({
    tenantId: dispute.tenantId, at,
    records: [
      disputeWrite(escalated, dispute.version), ...incident.records,
      notificationRecord(deps.ids, dispute.tenantId, at, {
        audience: 'operations', template: 'dispute.overdue', source: `dispute:${dispute.id}`,
        data: { dispute_reference: dispute.id, due_at: dueAt, penalty_minor: penalty.toString(), currency: defaultPenaltyPolicy.currency },
      }),
    ],
    audit: [audit, ...incident.audit],
  });
  return committed.ok ? penalty : null;
}

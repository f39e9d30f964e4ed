// Opening an incident report (D3) inside the changeset of the event that made a failure
// significant — a high-value failure detected, a transfer escalated after its status
// queries, a system-glitch burst, a dispute past its deadline — so no incident is ever
// missing for a committed event, and none exists for one that did not commit. A source
// record (one per failure, burst or dispute) written with the incident makes a second
// detection, even a concurrent one, open nothing: its commit conflicts and, decided
// again, finds the source taken.
import type { AuditAppend } from '../../domain/audit/audit-record.ts';
import { failureTrigger, incidentReference, incidentTriggers, type IncidentRules, type IncidentTrigger, type IncidentType } from '../../domain/compliance/incident.ts';
import type { TenantId } from '../../domain/ids.ts';
import type { CurrencyCode } from '../../domain/money/currencies.ts';
import { lagosDateOf, yearOf } from '../../domain/timelines/lagos-dates.ts';
import { deadlineFor } from '../../domain/timelines/timeline-rules.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { tenantTimelineRules } from '../calendar/calendar.ts';
import { tenantCalendar } from '../calendar/holiday-overrides.ts';
import type { Dependencies } from '../dependencies.ts';
import { notificationRecord } from '../notifications/enqueue-notification.ts';
import type { RecordWrite } from '../ports/store.ts';
import { amountSetting } from '../reversals/reversal-policy.ts';
import { claimYearlyReference } from '../shared/yearly-reference.ts';
import { readTenantSettings } from '../tenants/tenants.ts';
import { incidentKind, incidentSequenceKind, incidentSourceKind, incidentWrite, type Incident, type IncidentTransaction } from './incident-record.ts';

export const incidentAmountThresholdDefault = '1000000';
export const incidentInitiator = 'system:incidents';

export type IncidentWrites = { readonly records: readonly RecordWrite[]; readonly audit: readonly AuditAppend[] };
const none: IncidentWrites = { records: [], audit: [] };

const isTrigger = (value: unknown): value is IncidentTrigger => typeof value === 'string' && (incidentTriggers as readonly string[]).includes(value);

export async function incidentRulesOf(deps: Pick<Dependencies, 'store'>, tenantId: TenantId, currency: CurrencyCode): Promise<IncidentRules> {
  const settings = await readTenantSettings(deps, tenantId);
  const triggers = settings['incident_triggers'];
  return {
    amountThresholdMinor: amountSetting(settings['incident_amount_threshold'], incidentAmountThresholdDefault, currency),
    triggers: Array.isArray(triggers) ? triggers.filter(isTrigger) : incidentTriggers,
  };
}

export type IncidentSpec = {
  readonly tenantId: TenantId;
  readonly source: string;
  readonly type: IncidentType;
  readonly trigger: IncidentTrigger;
  readonly transactions: readonly IncidentTransaction[];
  readonly failureReason: string;
  /** What the resolution target's rules match on. */
  readonly channel: string;
  readonly failureType: string;
  readonly detectedAt: number;
};

/** The records and audit entry that open the incident, or nothing when its source already has one. */
export async function incidentWrites(deps: Dependencies, spec: IncidentSpec, at: number): Promise<IncidentWrites> {
  if (await deps.store.getRecord(spec.tenantId, incidentSourceKind, spec.source) !== null) return none;
  const first = spec.transactions[0];
  if (first === undefined) return none;
  const currency = first.currency;
  const amountMinor = spec.transactions.filter((item) => item.currency === currency).reduce((sum, item) => sum + item.amountMinor, 0n);
  const year = yearOf(lagosDateOf(spec.detectedAt));
  const [calendar, rules] = await Promise.all([
    tenantCalendar(deps, spec.tenantId, { fromYear: year, toYear: year + 1 }), tenantTimelineRules(deps, spec.tenantId, 'incident_timelines'),
  ]);
  const target = deadlineFor(rules, { openedAt: spec.detectedAt, channel: spec.channel, failureType: spec.failureType, amountMinor, currency }, calendar);
  const claimed = await claimYearlyReference(deps.store, spec.tenantId, incidentSequenceKind, at, incidentReference);
  const incident: Incident = {
    tenantId: spec.tenantId, id: claimed.id, version: 0, type: spec.type, trigger: spec.trigger, status: 'open', source: spec.source,
    transactions: spec.transactions, amountMinor, currency, failureReason: spec.failureReason, detectedAt: spec.detectedAt,
    rule: target.rule, dueAt: target.dueAt, overdueAt: null, submittedAt: null, submittedBy: null, submissionReference: null,
    resolvedAt: null, resolvedBy: null, resolution: null, createdAt: at, updatedAt: at,
  };
  const resolutionTarget = new Date(target.dueAt).toISOString();
  const audit = await buildAuditEntry(deps, spec.tenantId, at, {
    stream: 'incidents', action: 'incident.opened', initiator: incidentInitiator, status: 'open', reason: `${spec.trigger}: ${spec.failureReason}`,
    ...(spec.transactions.length === 1 ? { transactionId: first.reference } : {}),
    details: { response: { incident_reference: incident.id, type: spec.type, source: spec.source, transactions: spec.transactions.map((item) => item.reference), resolution_target: resolutionTarget } },
  });
  return {
    records: [
      incidentWrite(incident, 0), claimed.write,
      { kind: incidentSourceKind, id: spec.source, body: { incident_id: incident.id }, expectedVersion: 0 },
      notificationRecord(deps.ids, spec.tenantId, at, {
        audience: 'operations', template: 'incident.opened', source: `${incidentKind}:${incident.id}`,
        data: {
          incident_reference: incident.id, type: spec.type, trigger: spec.trigger, transactions: String(spec.transactions.length),
          amount_minor: amountMinor.toString(), currency, resolution_target: resolutionTarget,
        },
      }),
    ],
    audit: [audit],
  };
}

/** A failed transaction as the incident rules see it: the incident to open with it, if it is significant. */
export type SignificantFailure = {
  readonly tenantId: TenantId;
  readonly failedTransactionId: string;
  readonly transferReference: string;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly channel: string;
  readonly failureType: string;
  readonly escalated: boolean;
  readonly reason: string;
  readonly detectedAt: number;
};

/** One incident per failed transaction at most, whichever trigger came first. */
export async function failureIncidentWrites(deps: Dependencies, failure: SignificantFailure, at: number): Promise<IncidentWrites> {
  const trigger = failureTrigger(await incidentRulesOf(deps, failure.tenantId, failure.currency), failure);
  if (trigger === null) return none;
  return incidentWrites(deps, {
    tenantId: failure.tenantId, source: `failure:${failure.failedTransactionId}`, type: 'FAILED_ELECTRONIC_PAYMENT', trigger,
    transactions: [{ reference: failure.transferReference, amountMinor: failure.amountMinor, currency: failure.currency }],
    failureReason: failure.reason, channel: failure.channel, failureType: failure.failureType, detectedAt: failure.detectedAt,
  }, at);
}

/** Whether the tenant reports this kind of event at all (bursts and dispute breaches). */
export async function triggerEnabled(deps: Pick<Dependencies, 'store'>, tenantId: TenantId, trigger: IncidentTrigger): Promise<boolean> {
  return (await incidentRulesOf(deps, tenantId, 'NGN')).triggers.includes(trigger);
}

// An incident report (D3) as stored and shown: `INC-<year>-<seq>` per tenant, its type and
// trigger, the transactions it covers, amount (minor units + currency), failure reason,
// detection time, the resolution target, and its course (submitted with the regulator's
// reference, resolved within or beyond the target, flagged overdue once).
import { z } from 'zod';
import type { TenantId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import { incidentStatuses, incidentTriggers, incidentTypes, type IncidentStatus, type IncidentTrigger, type IncidentType } from '../../domain/compliance/incident.ts';
import { formatAmount } from '../../domain/money/money.ts';
import { isCurrencyCode, type CurrencyCode } from '../../domain/money/currencies.ts';
import type { JsonObject, RecordWrite, StoredRecord } from '../ports/store.ts';

export const incidentKind = 'incident';
/** The tenant's running incident number of one year: id = the year. */
export const incidentSequenceKind = 'incident_sequence';
/** One per failure, burst or dispute breach (id = the source): a second detection finds it and opens nothing. */
export const incidentSourceKind = 'incident_source';

export type IncidentTransaction = { readonly reference: string; readonly amountMinor: bigint; readonly currency: CurrencyCode };

export type Incident = {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly version: number;
  readonly type: IncidentType;
  readonly trigger: IncidentTrigger;
  readonly status: IncidentStatus;
  /** What made it significant: `failure:FTX-…`, `burst:<bank>:<window>`, `dispute:DSP-…`. */
  readonly source: string;
  readonly transactions: readonly IncidentTransaction[];
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly failureReason: string;
  readonly detectedAt: number;
  readonly rule: string;
  readonly dueAt: number;
  readonly overdueAt: number | null;
  readonly submittedAt: number | null;
  readonly submittedBy: string | null;
  readonly submissionReference: string | null;
  readonly resolvedAt: number | null;
  readonly resolvedBy: string | null;
  readonly resolution: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
};

export function incidentIndexKey(status: IncidentStatus): string {
  return `status:${status}`;
}

const transactionSchema = z.object({ reference: z.string(), amount_minor: z.string().regex(/^[0-9]+$/), currency: z.string() });
const bodySchema = z.object({
  type: z.enum(incidentTypes),
  trigger: z.enum(incidentTriggers),
  status: z.enum(incidentStatuses),
  source: z.string(),
  transactions: z.array(transactionSchema),
  amount_minor: z.string().regex(/^[0-9]+$/),
  currency: z.string(),
  failure_reason: z.string(),
  detected_at: z.number(),
  rule: z.string(),
  due_at: z.number(),
  overdue_at: z.number().nullable(),
  submitted_at: z.number().nullable(),
  submitted_by: z.string().nullable(),
  submission_reference: z.string().nullable(),
  resolved_at: z.number().nullable(),
  resolved_by: z.string().nullable(),
  resolution: z.string().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
});

export function incidentWrite(incident: Incident, expectedVersion: number): RecordWrite {
  const body: JsonObject = {
    type: incident.type, trigger: incident.trigger, status: incident.status, source: incident.source,
    transactions: incident.transactions.map((item) => ({ reference: item.reference, amount_minor: item.amountMinor.toString(), currency: item.currency })),
    amount_minor: incident.amountMinor.toString(), currency: incident.currency, failure_reason: incident.failureReason,
    detected_at: incident.detectedAt, rule: incident.rule, due_at: incident.dueAt, overdue_at: incident.overdueAt,
    submitted_at: incident.submittedAt, submitted_by: incident.submittedBy, submission_reference: incident.submissionReference,
    resolved_at: incident.resolvedAt, resolved_by: incident.resolvedBy, resolution: incident.resolution,
    created_at: incident.createdAt, updated_at: incident.updatedAt,
  };
  return { kind: incidentKind, id: incident.id, body, expectedVersion, indexKey: incidentIndexKey(incident.status) };
}

function currencyOf(text: string, what: string): CurrencyCode {
  invariant(isCurrencyCode(text), `${what} currency is damaged`);
  return text;
}

export function incidentFromRecord(record: StoredRecord): Incident {
  const parsed = bodySchema.safeParse(record.body);
  invariant(parsed.success, `incident ${record.id} is damaged`);
  const body = parsed.data;
  return {
    tenantId: record.tenantId, id: record.id, version: record.version, type: body.type, trigger: body.trigger, status: body.status,
    source: body.source,
    transactions: body.transactions.map((item) => ({ reference: item.reference, amountMinor: BigInt(item.amount_minor), currency: currencyOf(item.currency, `incident ${record.id}`) })),
    amountMinor: BigInt(body.amount_minor), currency: currencyOf(body.currency, `incident ${record.id}`), failureReason: body.failure_reason,
    detectedAt: body.detected_at, rule: body.rule, dueAt: body.due_at, overdueAt: body.overdue_at,
    submittedAt: body.submitted_at, submittedBy: body.submitted_by, submissionReference: body.submission_reference,
    resolvedAt: body.resolved_at, resolvedBy: body.resolved_by, resolution: body.resolution, createdAt: body.created_at, updatedAt: body.updated_at,
  };
}

const iso = (at: number | null): string | null => (at === null ? null : new Date(at).toISOString());

/** Within the target when resolved by it; null while unresolved. */
export function withinTarget(incident: Incident): boolean | null {
  return incident.resolvedAt === null ? null : incident.resolvedAt <= incident.dueAt;
}

export function incidentView(incident: Incident): JsonObject {
  return {
    incident_reference: incident.id, type: incident.type, trigger: incident.trigger, status: incident.status,
    transaction_references: incident.transactions.map((item) => item.reference),
    transactions: incident.transactions.map((item) => ({ reference: item.reference, amount: formatAmount(item.amountMinor, item.currency), amount_minor: item.amountMinor.toString(), currency: item.currency })),
    amount: formatAmount(incident.amountMinor, incident.currency), amount_minor: incident.amountMinor.toString(), currency: incident.currency,
    failure_reason: incident.failureReason, detected_at: iso(incident.detectedAt), rule: incident.rule, resolution_target: iso(incident.dueAt),
    overdue: incident.overdueAt !== null, overdue_at: iso(incident.overdueAt),
    submitted_at: iso(incident.submittedAt), submitted_by: incident.submittedBy, submission_reference: incident.submissionReference,
    resolved_at: iso(incident.resolvedAt), resolved_by: incident.resolvedBy, resolution: incident.resolution, within_target: withinTarget(incident),
    created_at: iso(incident.createdAt), updated_at: iso(incident.updatedAt),
  };
}

// CBN reversal reports (D2): a period's figures computed from the failed-transaction and
// reversal records with the tenant's timeline rules and calendar, while the report is a
// draft; submitting freezes the figures; the CBN's acknowledgement adds its reference.
// Each step is audited.
import { cbnReportFigures, lagosMonth, reportCurrency, type ReportFigures, type ReportItem } from '../../domain/compliance/cbn-report.ts';
import type { TenantId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import { formatAmount } from '../../domain/money/money.ts';
import { ok, refuse, type Result } from '../../domain/result.ts';
import { defaultPenaltyPolicy } from '../../domain/timelines/penalty-exposure.ts';
import { deadlineFor } from '../../domain/timelines/timeline-rules.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { tenantCalendar } from '../calendar/holiday-overrides.ts';
import { tenantTimelineRules } from '../calendar/calendar.ts';
import type { Dependencies } from '../dependencies.ts';
import type { JsonObject, StoredRecord } from '../ports/store.ts';
import { failedTransactionFromRecord, failedTransactionKind } from '../reversals/failed-transaction-record.ts';
import { reversalFromRecord, reversalKind } from '../reversals/reversal-record.ts';
import { decideAndCommit } from '../shared/commit.ts';
import type { Reply } from '../shared/reply.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export const cbnReportKind = 'cbn_report';
/** A report reads at most this many failed transactions; a busier month needs a time index. */
export const reportItemsMax = 100_000;

type ReportCode = 'invalid_request' | 'cbn_report_not_found' | 'cbn_report_submitted' | 'cbn_report_not_submitted' | 'conflict' | 'insufficient_funds';

function statusOf(record: StoredRecord): string {
  const status = record.body['status'];
  return typeof status === 'string' ? status : 'unknown';
}

export function cbnReportId(period: string): string {
  return `CBN-${period}`;
}

async function reportItems(deps: Dependencies, tenantId: TenantId, period: string): Promise<ReportItem[]> {
  const month = lagosMonth(period);
  invariant(month !== null, `period ${period} was validated`);
  const year = Number(period.slice(0, 4));
  const [calendar, rules] = await Promise.all([tenantCalendar(deps, tenantId, { fromYear: year, toYear: year + 1 }), tenantTimelineRules(deps, tenantId)]);
  const items: ReportItem[] = [];
  let cursor: string | undefined;
  let read = 0;
  do {
    const page = await deps.store.listRecords(tenantId, failedTransactionKind, { limit: 200, ...(cursor === undefined ? {} : { cursor }) });
    read += page.items.length;
    invariant(read <= reportItemsMax, `more than ${reportItemsMax} failed transactions to report`);
    for (const record of page.items) {
      const failed = failedTransactionFromRecord(record);
      if (failed.detectedAt < month.fromAt || failed.detectedAt >= month.toAt) continue;
      const reversalRecord = failed.reversalId === undefined ? null : await deps.store.getRecord(tenantId, reversalKind, failed.reversalId);
      const reversal = reversalRecord === null ? null : reversalFromRecord(reversalRecord);
      // Every failed transaction here is an inter-bank (NIP) transfer: the rail's rules apply.
      const deadline = deadlineFor(rules, { openedAt: failed.detectedAt, channel: 'nip', failureType: failed.failureType, amountMinor: failed.amountMinor, currency: failed.currency }, calendar);
      items.push({
        failedAt: failed.detectedAt, dueAt: deadline.dueAt, resolvedAsSuccess: failed.status === 'resolved', amountMinor: failed.amountMinor, currency: failed.currency,
        reversal: reversal?.status === 'COMPLETED' ? { mode: reversal.mode, completedAt: reversal.updatedAt } : null,
      });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}

export function figuresView(figures: ReportFigures): JsonObject {
  return {
    total_failures: figures.totalFailures, resolved_as_success: figures.resolvedAsSuccess,
    automatic_reversals: figures.automaticReversals, manual_reversals: figures.manualReversals,
    reversed_within_timeline: figures.reversedWithinTimeline, reversed_beyond_timeline: figures.reversedBeyondTimeline,
    pending_within_timeline: figures.pendingWithinTimeline, pending_beyond_timeline: figures.pendingBeyondTimeline,
    // Naira only: minor units of other currencies are not kobo. Every currency's reversals are in reversed_amounts.
    reversed_amount: formatAmount(figures.reversedAmountMinor, reportCurrency), penalty_exposure: formatAmount(figures.penaltyExposureMinor, reportCurrency),
    currency: reportCurrency, compliance_rate: Math.round(figures.complianceRate * 10_000) / 10_000,
    reversed_amounts: Object.fromEntries([...figures.reversedByCurrency].sort(([a], [b]) => a.localeCompare(b)).map(([currency, minor]) => [currency, formatAmount(minor, currency)])),
  };
}

function reportReply(period: string, record: StoredRecord | null, figures: JsonObject, generatedAt: number): Reply {
  const body = record?.body ?? {};
  return {
    statusCode: 200,
    body: {
      message: 'CBN reversal report.', status: typeof body['status'] === 'string' ? body['status'] : 'draft',
      report_id: cbnReportId(period), period, figures, generated_at: new Date(generatedAt).toISOString(),
      submitted_at: body['submitted_at'] ?? null, submitted_by: body['submitted_by'] ?? null,
      acknowledged_at: body['acknowledged_at'] ?? null, cbn_reference: body['cbn_reference'] ?? null,
    },
  };
}

/** The report of a period: live figures while a draft, the frozen ones once submitted. */
export async function readCbnReport(deps: Dependencies, principal: TenantPrincipal, period: string): Promise<Result<Reply, 'invalid_request'>> {
  return cbnReportOf(deps, principal.tenantId, period);
}

/** The same for one tenant, for the operator's CLI (`contra report`), which acts on the store directly. */
export async function cbnReportOf(deps: Dependencies, tenantId: TenantId, period: string): Promise<Result<Reply, 'invalid_request'>> {
  if (lagosMonth(period) === null) return refuse('invalid_request', 'period', 'must be a month YYYY-MM');
  const record = await deps.store.getRecord(tenantId, cbnReportKind, cbnReportId(period));
  const frozen = record?.body['figures'];
  if (record !== null && typeof frozen === 'object' && frozen !== null && !Array.isArray(frozen)) {
    return ok(reportReply(period, record, frozen, Number(record.body['generated_at'])));
  }
  const now = deps.clock.now();
  return ok(reportReply(period, record, figuresView(cbnReportFigures(await reportItems(deps, tenantId, period), defaultPenaltyPolicy, now)), now));
}

function periodOf(reportId: string): string | null {
  const period = /^CBN-(\d{4}-\d{2})$/.exec(reportId)?.[1];
  return period !== undefined && lagosMonth(period) !== null ? period : null;
}

export async function submitCbnReport(deps: Dependencies, principal: TenantPrincipal, reportId: string): Promise<Result<Reply, ReportCode>> {
  const period = periodOf(reportId);
  if (period === null) return refuse('cbn_report_not_found', 'id');
  return decideAndCommit(deps.store, async () => {
    const record = await deps.store.getRecord(principal.tenantId, cbnReportKind, reportId);
    if (record !== null) return refuse('cbn_report_submitted', 'id', `the report is ${statusOf(record)}`);
    const at = deps.clock.now();
    const figures = figuresView(cbnReportFigures(await reportItems(deps, principal.tenantId, period), defaultPenaltyPolicy, at));
    const initiator = initiatorOf(principal);
    const body: JsonObject = { period, status: 'submitted', figures, generated_at: at, submitted_at: new Date(at).toISOString(), submitted_by: initiator };
    const audit = await buildAuditEntry(deps, principal.tenantId, at, {
      stream: 'cbn_reports', action: 'cbn_report.submitted', initiator, status: 'submitted', reason: reportId, details: { response: figures },
    });
    const reply = reportReply(period, { tenantId: principal.tenantId, kind: cbnReportKind, id: reportId, version: 1, body, indexKey: null, createdAt: at, updatedAt: at }, figures, at);
    return { ok: true, value: reply, changeset: { tenantId: principal.tenantId, at, records: [{ kind: cbnReportKind, id: reportId, body, expectedVersion: 0 }], audit: [audit] } };
  });
}

export async function acknowledgeCbnReport(deps: Dependencies, principal: TenantPrincipal, reportId: string, reference: string): Promise<Result<Reply, ReportCode>> {
  const period = periodOf(reportId);
  if (period === null) return refuse('cbn_report_not_found', 'id');
  return decideAndCommit(deps.store, async () => {
    const record = await deps.store.getRecord(principal.tenantId, cbnReportKind, reportId);
    if (record === null || record.body['status'] !== 'submitted') {
      return refuse('cbn_report_not_submitted', 'id', record === null ? 'the report is a draft' : `the report is ${statusOf(record)}`);
    }
    const at = deps.clock.now();
    const initiator = initiatorOf(principal);
    const body: JsonObject = { ...record.body, status: 'acknowledged', acknowledged_at: new Date(at).toISOString(), cbn_reference: reference };
    const audit = await buildAuditEntry(deps, principal.tenantId, at, {
      stream: 'cbn_reports', action: 'cbn_report.acknowledged', initiator, status: 'acknowledged', reason: `${reportId} ${reference}`,
    });
    const figures = body['figures'];
    invariant(typeof figures === 'object' && figures !== null && !Array.isArray(figures), 'a submitted report has figures');
    const reply = reportReply(period, { ...record, body }, figures, Number(body['generated_at']));
    return { ok: true, value: reply, changeset: { tenantId: principal.tenantId, at, records: [{ kind: cbnReportKind, id: reportId, body, expectedVersion: record.version }], audit: [audit] } };
  });
}

// Running a reconciliation (V6) for one tenant. `real_time` covers the transfers made since
// the tenant's checkpoint (and every transfer still waiting for its outcome); `batch_eod`
// covers one Lagos business day, optionally against the settlement statement of that day.
// Steps: (1) take the run type's lease on the checkpoint (a second run at once is refused);
// (2) read our side and check its legs and sums, compare with the statement; (3) act on the
// mismatches through the existing detection machinery (act-on-mismatches.ts); (4) commit
// the log, the audit record, an operations notice and the advanced checkpoint (releasing
// the lease) in ONE changeset. A run that fails before (4) leaves an unmoved checkpoint and,
// in one changeset, a log with status `failed` and its reason, an audit record and an
// operations notice, giving the lease back (if the store is down, nothing, and the lease
// lapses); the rerun does the same work again — whatever (3) already did is found done,
// never done twice.
import type { TenantId } from '../../domain/ids.ts';
import { LedgerCheck, mismatchKinds, type CurrencySums, type Mismatch, type MismatchKind } from '../../domain/reconciliation/matcher.ts';
import { compareWithStatement, type LedgerTransfer } from '../../domain/reconciliation/matcher.ts';
import { linesOf, readStatement, type Statement } from '../../domain/reconciliation/settlement-statement.ts';
import { dayMs, isCalendarDate, lagosDateOf, lagosEndOf, lagosStartOf, type CalendarDate } from '../../domain/timelines/lagos-dates.ts';
import { ok, refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { notificationRecord } from '../notifications/enqueue-notification.ts';
import type { JsonObject } from '../ports/store.ts';
import type { Reply } from '../shared/reply.ts';
import type { MoneyTransfer } from '../transfers/transfer-record.ts';
import { actOnMismatch, emptyActionReport, reconciliationInitiator, type ActionReport } from './act-on-mismatches.ts';
import { transfersInWindow, withLeg, type LedgerWindow } from './ledger-side.ts';
import {
  checkpointFromRecord, checkpointWrite, emptyCheckpoint, loggedMismatchesMax, mismatchJson, reconciliationCheckpointKind, reconciliationLogView,
  reconciliationLogWrite, type Checkpoint, type LoggedMismatch, type ReconciliationType,
} from './reconciliation-record.ts';

/** How long a run's lease lasts: a run that dies without giving it back blocks the next one this long at most. */
export const reconciliationLeaseMs = 30 * 60_000;
/** Mismatches acted on (status queries, escalations) per run at most; the rest wait for the next run. */
export const mismatchActionsMax = 500;

export type ReconciliationRequest = {
  readonly type: ReconciliationType;
  readonly date?: CalendarDate;
  readonly statement?: Statement;
};

export type RunReconciliationCode = 'invalid_request' | 'invalid_statement' | 'invalid_reconciliation_date' | 'reconciliation_running' | 'conflict';

/** The day a batch run covers: the one asked for (not in the future), or yesterday in Lagos. */
export function batchDate(now: number, date: string | undefined): Result<CalendarDate, 'invalid_reconciliation_date'> {
  const today = lagosDateOf(now);
  if (date === undefined) return ok(lagosDateOf(lagosStartOf(today) - 1));
  if (!isCalendarDate(date)) return refuse('invalid_reconciliation_date', 'date', 'must be a calendar date YYYY-MM-DD');
  if (date > today) return refuse('invalid_reconciliation_date', 'date', `must not be after today in Lagos (${today})`);
  return ok(date);
}

/** Parses a statement sent as text; bad rows refuse it with their line and column. */
export function parseStatementText(text: string, date: CalendarDate): Result<Statement, 'invalid_statement'> {
  return readStatement(linesOf(text), date);
}

async function takeLease(deps: Dependencies, tenantId: TenantId, type: ReconciliationType, runId: string, at: number): Promise<Result<Checkpoint, 'reconciliation_running'>> {
  const record = await deps.store.getRecord(tenantId, reconciliationCheckpointKind, type);
  const current = record === null ? emptyCheckpoint(type) : checkpointFromRecord(record);
  if (current.runningRunId !== null && current.leaseUntil > at) {
    return refuse('reconciliation_running', 'type', `run ${current.runningRunId} of this type is still working; try again when it has finished`);
  }
  const leased: Checkpoint = { ...current, runningRunId: runId, leaseUntil: at + reconciliationLeaseMs };
  const committed = await deps.store.commit({ tenantId, at, records: [checkpointWrite(leased, current.version)] });
  if (!committed.ok) return refuse('reconciliation_running', 'type', 'another run of this type started at the same moment');
  return ok({ ...leased, version: current.version + 1 });
}

/** The longest failure text kept in a failed run's log and notice. */
const failureTextMax = 300;

function failureText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : 'an unknown error';
  return text.length > failureTextMax ? `${text.slice(0, failureTextMax - 1)}…` : text;
}

type FailedRun = { readonly type: ReconciliationType; readonly runId: string; readonly date: CalendarDate | null; readonly startedAt: number; readonly initiator: string };

/**
 * After a failed run, in one changeset: its log (status `failed`, with the reason), the
 * audit record and an operations notice, and the lease given back with the checkpoint
 * unmoved. If even that cannot be written (the store is failing), the lease lapses.
 */
async function recordFailure(deps: Dependencies, tenantId: TenantId, leased: Checkpoint, run: FailedRun, error: unknown): Promise<void> {
  try {
    const failedAt = deps.clock.now();
    const failure = failureText(error);
    const write = reconciliationLogWrite(run.runId, run.type, {
      date: run.date, status: 'failed', failure, initiator: run.initiator,
      run_started_at: run.startedAt, run_failed_at: failedAt, duration_ms: failedAt - run.startedAt,
    });
    const audit = await buildAuditEntry(deps, tenantId, failedAt, {
      stream: 'reconciliations', action: 'reconciliation.failed', initiator: run.initiator, status: 'FAILED', reason: `${run.type} run ${run.runId}: ${failure}`,
      details: { query: { type: run.type, date: run.date } },
    });
    const notice = notificationRecord(deps.ids, tenantId, failedAt, {
      audience: 'operations', template: 'reconciliation.failed', source: `reconciliation:${run.runId}`, data: { run_id: run.runId, type: run.type, failure },
    });
    await deps.store.commit({
      tenantId, at: failedAt, records: [write, checkpointWrite({ ...leased, runningRunId: null, leaseUntil: 0 }, leased.version), notice], audit: [audit],
    });
  } catch {
    // The store is failing; the lease lapses after reconciliationLeaseMs.
  }
}

function windowOf(deps: Dependencies, request: ReconciliationRequest, checkpoint: Checkpoint, date: CalendarDate | null, now: number): LedgerWindow {
  if (date !== null) return { fromAt: lagosStartOf(date) - 1, toAt: lagosEndOf(date), allPending: false };
  const fromAt = checkpoint.throughAt ?? lagosStartOf(lagosDateOf(now)) - dayMs - 1;
  return { fromAt, toAt: Math.max(fromAt, now - deps.settings.reconciliationLagMs), allPending: request.type === 'real_time' };
}

type Matched = {
  readonly checked: number;
  readonly matched: number;
  readonly sums: ReadonlyMap<string, CurrencySums>;
  readonly found: Mismatch[];
  readonly ours: ReadonlyMap<string, MoneyTransfer>;
};

async function match(deps: Dependencies, tenantId: TenantId, window: LedgerWindow, statement: Statement | undefined, onProgress?: (checked: number) => void): Promise<Matched> {
  const check = new LedgerCheck(deps.clock.now(), deps.settings.orphanGraceMs);
  const found: Mismatch[] = [];
  const ours = new Map<string, MoneyTransfer>();
  const ledger: LedgerTransfer[] = [];
  const add = (mismatch: Mismatch): void => { found.push(mismatch); };
  for await (const listed of transfersInWindow(deps.store, tenantId, window)) {
    const { transfer, ledger: entry } = await withLeg(deps, listed);
    ours.set(transfer.reference, transfer);
    ledger.push(entry);
    check.add(entry, add);
    if (check.checked % 100 === 0) onProgress?.(check.checked);
  }
  check.finish(add);
  onProgress?.(check.checked);
  const matched = statement === undefined ? 0 : compareWithStatement(ledger, statement, add).matched;
  return { checked: check.checked, matched, sums: check.sums, found, ours };
}

/**
 * How much a mismatch can call for, to choose the one a reference is acted on for: the
 * statement's word on the outcome (escalation, or a status query that may open a failed
 * transaction) first, then an orphaned debit (a status query), then the kinds that are only
 * reported (amounts that differ, legs that disagree, …).
 */
function mismatchWeight(kind: MismatchKind): number {
  if (kind === 'status_differs' || kind === 'missing_theirs') return 2;
  return kind === 'orphaned_debit' ? 1 : 0;
}

async function act(deps: Dependencies, matched: Matched, report: ActionReport, initiator: string): Promise<LoggedMismatch[]> {
  // A reference is acted on once, for its most serious mismatch: the amount that differs is
  // found before the status, and being only reported it must not hide the contradicted status.
  const chosen = new Map<string, Mismatch>();
  for (const mismatch of matched.found) {
    const current = chosen.get(mismatch.reference);
    if (current === undefined || mismatchWeight(mismatch.kind) > mismatchWeight(current.kind)) chosen.set(mismatch.reference, mismatch);
  }
  const done = new Map<string, LoggedMismatch>();
  const logged: LoggedMismatch[] = [];
  let actions = 0;
  for (const mismatch of matched.found) {
    let taken = done.get(mismatch.reference);
    if (taken === undefined) {
      const subject = chosen.get(mismatch.reference) ?? mismatch;
      if (actions >= mismatchActionsMax) taken = { ...subject, action: 'reported' };
      else {
        taken = await actOnMismatch(deps, subject, matched.ours.get(mismatch.reference), report, initiator);
        if (taken.action !== 'reported') actions++;
      }
      done.set(mismatch.reference, taken);
    }
    const entry: LoggedMismatch = { ...mismatch, action: taken.action, ...(taken.outcome === undefined ? {} : { outcome: taken.outcome }) };
    if (logged.length < loggedMismatchesMax) logged.push(entry);
  }
  return logged;
}

function countsOf(found: readonly Mismatch[]): JsonObject {
  const counts = Object.fromEntries(mismatchKinds.map((kind) => [kind, 0])) as Record<MismatchKind, number>;
  for (const mismatch of found) counts[mismatch.kind]++;
  return counts;
}

function sumsJson(sums: ReadonlyMap<string, CurrencySums>): JsonObject {
  return Object.fromEntries([...sums].map(([currency, sum]) => [currency, {
    debited_minor: sum.debitedMinor.toString(), credited_minor: sum.creditedMinor.toString(), returned_minor: sum.returnedMinor.toString(), held_minor: sum.heldMinor.toString(),
  }]));
}

export async function runReconciliation(
  deps: Dependencies, tenantId: TenantId, request: ReconciliationRequest, initiator = reconciliationInitiator, onProgress?: (checked: number) => void,
): Promise<Result<Reply, RunReconciliationCode>> {
  if (request.type === 'real_time' && (request.date !== undefined || request.statement !== undefined)) {
    return refuse('invalid_request', request.date === undefined ? 'statement' : 'date', 'a real_time run covers the transfers since its checkpoint; a date and a statement belong to batch_eod');
  }
  const startedAt = deps.clock.now();
  let date: CalendarDate | null = null;
  if (request.type === 'batch_eod') {
    const day = batchDate(startedAt, request.date);
    if (!day.ok) return day;
    date = day.value;
  }
  const runId = deps.ids.next('rec');
  const leased = await takeLease(deps, tenantId, request.type, runId, startedAt);
  if (!leased.ok) return leased;
  try {
    const window = windowOf(deps, request, leased.value, date, startedAt);
    const matched = await match(deps, tenantId, window, request.statement, onProgress);
    const report = emptyActionReport();
    const logged = await act(deps, matched, report, initiator);
    return await finish(deps, tenantId, { request, runId, leased: leased.value, window, date, matched, report, logged, startedAt, initiator });
  } catch (error) {
    await recordFailure(deps, tenantId, leased.value, { type: request.type, runId, date, startedAt, initiator }, error);
    throw error;
  }
}

type Finished = {
  readonly request: ReconciliationRequest;
  readonly runId: string;
  readonly leased: Checkpoint;
  readonly window: LedgerWindow;
  readonly date: CalendarDate | null;
  readonly matched: Matched;
  readonly report: ActionReport;
  readonly logged: readonly LoggedMismatch[];
  readonly startedAt: number;
  readonly initiator: string;
};

async function finish(deps: Dependencies, tenantId: TenantId, run: Finished): Promise<Result<Reply, 'conflict'>> {
  const { matched, report, request } = run;
  const completedAt = deps.clock.now();
  const statementRows = request.statement === undefined ? null : request.statement.rows.size + request.statement.duplicates.length;
  const body: JsonObject = {
    date: run.date, window_from: run.window.fromAt + 1, window_to: run.window.toAt,
    transactions_checked: matched.checked, statement_rows: statementRows, matched: request.statement === undefined ? null : matched.matched,
    mismatches_found: matched.found.length, mismatch_counts: countsOf(matched.found),
    mismatches: run.logged.map(mismatchJson), mismatches_truncated: matched.found.length > run.logged.length,
    reversals_initiated: report.failed, status_queries: report.examined, late_successes: report.succeeded, escalated: report.escalatedByStatement + report.escalated,
    sums: sumsJson(matched.sums), run_started_at: run.startedAt, run_completed_at: completedAt, duration_ms: completedAt - run.startedAt,
    status: 'completed', initiator: run.initiator,
  };
  const write = reconciliationLogWrite(run.runId, request.type, body);
  const summary = `${matched.checked} transfers checked, ${matched.found.length} mismatches, ${report.failed} reversals initiated`;
  const audit = await buildAuditEntry(deps, tenantId, completedAt, {
    stream: 'reconciliations', action: 'reconciliation.completed', initiator: run.initiator, status: 'COMPLETED', reason: `${request.type} run ${run.runId}: ${summary}`,
    details: { query: { type: request.type, date: run.date, statement_rows: statementRows }, response: { mismatch_counts: body['mismatch_counts'] ?? null } },
  });
  const notice = matched.found.length === 0 ? [] : [notificationRecord(deps.ids, tenantId, completedAt, {
    audience: 'operations', template: 'reconciliation.mismatches', source: `reconciliation:${run.runId}`,
    data: { run_id: run.runId, type: request.type, mismatches: String(matched.found.length), reversals: String(report.failed) },
  })];
  const throughAt = request.type === 'real_time' ? Math.max(run.leased.throughAt ?? run.window.toAt, run.window.toAt) : run.leased.throughAt;
  const advanced: Checkpoint = { ...run.leased, throughAt, runningRunId: null, leaseUntil: 0, lastRunId: run.runId };
  const committed = await deps.store.commit({ tenantId, at: completedAt, records: [write, checkpointWrite(advanced, run.leased.version), ...notice], audit: [audit] });
  if (!committed.ok) return refuse('conflict', 'type', 'the run lost its lease to another run; its work will be redone by the next run');
  const view = reconciliationLogView({ id: run.runId, type: request.type, body: { ...write.body }, runStartedAt: run.startedAt });
  return ok({ statusCode: 201, body: { message: `Reconciliation completed: ${summary}.`, status: 'completed', reconciliation: view } });
}

export type AllTenantsReport = { tenants: number; completed: number; refused: number; transactionsChecked: number; mismatches: number; reversalsInitiated: number };

/** The scheduled runs: every tenant, one after another; a tenant whose run is still going is skipped this time. */
export async function reconcileAllTenants(deps: Dependencies, type: ReconciliationType): Promise<AllTenantsReport> {
  const report: AllTenantsReport = { tenants: 0, completed: 0, refused: 0, transactionsChecked: 0, mismatches: 0, reversalsInitiated: 0 };
  for (const tenantId of await deps.store.listTenantIds()) {
    report.tenants++;
    const result = await runReconciliation(deps, tenantId, { type });
    if (!result.ok) {
      report.refused++;
      continue;
    }
    const log = result.value.body['reconciliation'] as JsonObject;
    report.completed++;
    report.transactionsChecked += Number(log['transactions_checked']);
    report.mismatches += Number(log['mismatches_found']);
    report.reversalsInitiated += Number(log['reversals_initiated']);
  }
  return report;
}

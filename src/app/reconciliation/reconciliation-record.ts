// The records of reconciliation (V6): the log of every run (seed 004's reconciliation_logs:
// type, transactions checked, mismatches found, reversals initiated, start, end, duration,
// status, plus the first mismatches themselves and a count per kind) and, per tenant and
// run type, the checkpoint: how far real-time runs have reconciled, and the lease that lets
// only one run of a type work at a time.
import { z } from 'zod';
import { formatAmount } from '../../domain/money/money.ts';
import { invariant } from '../../domain/invariant.ts';
import type { Mismatch } from '../../domain/reconciliation/matcher.ts';
import type { JsonObject, RecordWrite, StoredRecord } from '../ports/store.ts';

export const reconciliationLogKind = 'reconciliation_log';
export const reconciliationCheckpointKind = 'reconciliation_checkpoint';
export const reconciliationTypes = ['real_time', 'batch_eod'] as const;
export type ReconciliationType = (typeof reconciliationTypes)[number];
/** Mismatches kept in a log record; the counts per kind cover all of them. */
export const loggedMismatchesMax = 100;

export function reconciliationIndexKey(type: ReconciliationType): string {
  return `type:${type}`;
}

export type Checkpoint = {
  readonly type: ReconciliationType;
  readonly version: number;
  /** Real-time runs: transfers made up to this instant are reconciled. */
  readonly throughAt: number | null;
  readonly runningRunId: string | null;
  readonly leaseUntil: number;
  readonly lastRunId: string | null;
};

const checkpointSchema = z.object({
  through_at: z.number().nullable(),
  running_run_id: z.string().nullable(),
  lease_until: z.number(),
  last_run_id: z.string().nullable(),
});

export function emptyCheckpoint(type: ReconciliationType): Checkpoint {
  return { type, version: 0, throughAt: null, runningRunId: null, leaseUntil: 0, lastRunId: null };
}

export function checkpointFromRecord(record: StoredRecord): Checkpoint {
  const parsed = checkpointSchema.safeParse(record.body);
  invariant(parsed.success, `reconciliation checkpoint ${record.id} is damaged`);
  invariant(record.id === 'real_time' || record.id === 'batch_eod', `reconciliation checkpoint ${record.id} is damaged`);
  const body = parsed.data;
  return { type: record.id, version: record.version, throughAt: body.through_at, runningRunId: body.running_run_id, leaseUntil: body.lease_until, lastRunId: body.last_run_id };
}

export function checkpointWrite(checkpoint: Checkpoint, expectedVersion: number): RecordWrite {
  return {
    kind: reconciliationCheckpointKind, id: checkpoint.type, expectedVersion,
    body: { through_at: checkpoint.throughAt, running_run_id: checkpoint.runningRunId, lease_until: checkpoint.leaseUntil, last_run_id: checkpoint.lastRunId },
  };
}

/** What a run did about a mismatch. */
export type MismatchAction = 'status_queried' | 'escalated' | 'reported';
export type LoggedMismatch = Mismatch & { readonly action: MismatchAction; readonly outcome?: string };

export function mismatchJson(mismatch: LoggedMismatch): JsonObject {
  const side = (value: Mismatch['ours']): JsonObject | null => value === undefined ? null : { amount: formatAmount(value.amountMinor, value.currency), currency: value.currency, status: value.status };
  return {
    kind: mismatch.kind, reference: mismatch.reference, detail: mismatch.detail,
    ours: side(mismatch.ours),
    theirs: mismatch.theirs === undefined ? null : { ...side(mismatch.theirs), line: mismatch.theirs.line },
    action: mismatch.action, outcome: mismatch.outcome ?? null,
  };
}

export type ReconciliationLog = {
  readonly id: string;
  readonly type: ReconciliationType;
  readonly body: JsonObject;
  readonly runStartedAt: number;
};

const logSchema = z.object({ type: z.enum(reconciliationTypes), run_started_at: z.number() }).loose();

export function reconciliationLogWrite(id: string, type: ReconciliationType, body: JsonObject): RecordWrite {
  return { kind: reconciliationLogKind, id, body: { ...body, type }, expectedVersion: 0, indexKey: reconciliationIndexKey(type) };
}

export function reconciliationLogFromRecord(record: StoredRecord): ReconciliationLog {
  const parsed = logSchema.safeParse(record.body);
  invariant(parsed.success, `reconciliation log ${record.id} is damaged`);
  return { id: record.id, type: parsed.data.type, body: record.body, runStartedAt: parsed.data.run_started_at };
}

/** A log as the API shows it: the body with times as ISO strings. */
export function reconciliationLogView(log: ReconciliationLog): JsonObject {
  const iso = (value: unknown): string | null => typeof value === 'number' ? new Date(value).toISOString() : null;
  return {
    id: log.id, ...log.body,
    run_started_at: iso(log.body['run_started_at']), run_completed_at: iso(log.body['run_completed_at']),
    ...(log.body['run_failed_at'] === undefined ? {} : { run_failed_at: iso(log.body['run_failed_at']) }),
    window_from: iso(log.body['window_from']), window_to: iso(log.body['window_to']),
  };
}

// Failure patterns of a tenant's other-bank transfers over a period (V7): the transfers and
// failed transactions are read (at most `patternScanMax` of each), the domain computes the
// rates, spikes and rule-based advice, and an optional analyst may add its own advice —
// its failure or silence never changes the answer otherwise.
import type { TenantId } from '../../domain/ids.ts';
import type { FailureType } from '../../domain/interbank/failure-type.ts';
import { computeFailurePatterns, recommendationsFor, type TransferObservation } from '../../domain/reversals/failure-patterns.ts';
import type { Dependencies } from '../dependencies.ts';
import type { FailureAnalyst } from '../ports/failure-analyst.ts';
import type { JsonObject, StoredRecord } from '../ports/store.ts';
import type { Reply } from '../shared/reply.ts';
import { transferFromRecord, transferKind } from '../transfers/transfer-record.ts';
import { failedTransactionFromRecord, failedTransactionKind } from './failed-transaction-record.ts';

/** Records of each kind read for one answer at most; beyond it the answer says `truncated`. */
export const patternScanMax = 10_000;
export const patternPeriodMsDefault = 7 * 24 * 60 * 60_000;
export const analystTimeoutMs = 5_000;

async function readAll(deps: Dependencies, tenantId: TenantId, kind: string): Promise<{ records: StoredRecord[]; truncated: boolean }> {
  const records: StoredRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listRecords(tenantId, kind, { limit: 200, ...(cursor === undefined ? {} : { cursor }) });
    records.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && records.length < patternScanMax);
  return { records, truncated: cursor !== undefined };
}

async function analystAdvice(analyst: FailureAnalyst | undefined, patterns: Parameters<FailureAnalyst['recommend']>[0]): Promise<readonly string[]> {
  if (analyst === undefined) return [];
  const controller = new AbortController();
  const timer = setTimeout(() => { controller.abort(); }, analystTimeoutMs);
  try {
    return await analyst.recommend(patterns, controller.signal);
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
  }
}

export async function failurePatterns(deps: Dependencies, tenantId: TenantId, period: { fromAt?: number; toAt?: number }, analyst?: FailureAnalyst): Promise<Reply> {
  const toAt = period.toAt ?? deps.clock.now();
  const fromAt = period.fromAt ?? toAt - patternPeriodMsDefault;
  const [transfers, failures] = await Promise.all([readAll(deps, tenantId, transferKind), readAll(deps, tenantId, failedTransactionKind)]);
  const failureTypes = new Map<string, FailureType>();
  for (const record of failures.records) {
    const failed = failedTransactionFromRecord(record);
    failureTypes.set(failed.transferReference, failed.failureType);
  }
  const observations: TransferObservation[] = [];
  for (const record of transfers.records) {
    const transfer = transferFromRecord(record);
    if (transfer.receiver.kind !== 'bank' || transfer.createdAt < fromAt || transfer.createdAt > toAt) continue;
    const failed = transfer.status === 'TRANSFER-FAILED' || transfer.status === 'TRANSFER-REVERSED' || transfer.status === 'TRANSFER-ESCALATED';
    observations.push({ bankCode: transfer.receiver.bankCode, channel: transfer.channel, at: transfer.createdAt, failureType: failed ? failureTypes.get(transfer.reference) ?? 'declined' : null });
  }
  const patterns = computeFailurePatterns(observations);
  const rows = (list: typeof patterns.byBank, name: string): JsonObject[] => list.map((row) => ({ [name]: row.key, transfers: row.transfers, failures: row.failures, failure_rate: row.failureRate }));
  return {
    statusCode: 200,
    body: {
      message: 'Failure patterns computed.', status: 'ok',
      from: new Date(fromAt).toISOString(), to: new Date(toAt).toISOString(),
      transfers: patterns.transfers, failures: patterns.failures, failure_rate: patterns.failureRate,
      by_failure_type: patterns.byFailureType.map((row) => ({ failure_type: row.failureType, failures: row.failures, share: row.share })),
      by_bank: rows(patterns.byBank, 'bank_code'), by_channel: rows(patterns.byChannel, 'channel'), by_hour: rows(patterns.byHour, 'hour_lagos'),
      spikes: patterns.spikes.map((spike) => ({ dimension: spike.dimension, key: spike.key, failure_rate: spike.failureRate, overall_rate: spike.overallRate, failures: spike.failures })),
      recommendations: [...recommendationsFor(patterns), ...await analystAdvice(analyst, patterns)],
      truncated: transfers.truncated || failures.truncated,
    },
  };
}

// Wraps the store port so every commit is counted by store and outcome and timed, and the
// status changes a committed changeset carries are counted by kind and status (T4). The
// use cases never see the difference.
import type { Changeset, CommitResult, Store } from '../../app/ports/store.ts';
import { paymentStatuses } from '../../domain/payments/payment-status.ts';
import { paymentKind } from '../../app/payments/payment-record.ts';
import { refundKind, refundStatuses } from '../../app/refunds/refund-record.ts';
import { transferKind, transferStatuses } from '../../app/transfers/transfer-record.ts';
import { reversalKind, reversalStatuses } from '../../app/reversals/reversal-record.ts';
import { secondsSince } from './elapsed.ts';

/**
 * Where a wrapped store reports: prom-client's counters and histogram for `contra serve`
 * (PrometheusMetrics fits as is), CloudWatch embedded metrics on Lambda (lambda/store-metrics.ts).
 */
export type StoreMetrics = {
  readonly commits: { inc(labels: { store: string; outcome: 'committed' | 'conflict' | 'error' }): void };
  readonly commitDuration: { observe(labels: { store: string }, seconds: number): void };
  readonly statusChanges: { inc(labels: { kind: string; status: string }): void };
};

/** The kinds counted, each with its closed list of statuses (anything else is not counted). */
const countedStatuses: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  [paymentKind, paymentStatuses], [refundKind, refundStatuses], [transferKind, transferStatuses], [reversalKind, reversalStatuses],
]);

/**
 * A payment or refund changed status when the changeset appends to its PaymentLedger; it
 * counts once, by the status its record ends in. A transfer counts every status its
 * changeset appends to its ledger, so a failure reversed in the same commit (TRANSFER-FAILED
 * then TRANSFER-REVERSED) counts as a failure and a reversal, as when they are two commits.
 * Every write of a reversal is a status change (requested, approved, rejected, completed).
 */
function countStatusChanges(metrics: StoreMetrics, changeset: Changeset): void {
  const entries = changeset.ledgerEntries ?? [];
  const moved = new Set(entries.map((entry) => entry.transactionId));
  for (const record of changeset.records ?? []) {
    const statuses = countedStatuses.get(record.kind);
    if (statuses === undefined || (record.kind !== reversalKind && !moved.has(record.id))) continue;
    const ended = record.kind === transferKind
      ? entries.filter((entry) => entry.transactionId === record.id).map((entry) => entry.status)
      : [record.body['status']];
    for (const value of ended) {
      const status = statuses.find((known) => known === value);
      if (status !== undefined) metrics.statusChanges.inc({ kind: record.kind, status });
    }
  }
}

export function instrumentStore(store: Store, storeKind: string, metrics: StoreMetrics): Store {
  const commit = async (changeset: Changeset): Promise<CommitResult> => {
    const startedAt = performance.now();
    try {
      const result = await store.commit(changeset);
      metrics.commits.inc({ store: storeKind, outcome: result.ok ? 'committed' : 'conflict' });
      if (result.ok) countStatusChanges(metrics, changeset);
      return result;
    } catch (error) {
      metrics.commits.inc({ store: storeKind, outcome: 'error' });
      throw error;
    } finally {
      metrics.commitDuration.observe({ store: storeKind }, secondsSince(startedAt));
    }
  };
  // A proxy rather than a copy: every other method (and any adapter extra a test reaches
  // for) goes to the store itself, bound to it.
  return new Proxy(store, {
    get(target, property) {
      if (property === 'commit') return commit;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...parameters: unknown[]) => unknown).bind(target) : value;
    },
  });
}

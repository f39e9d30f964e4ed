// The standalone service's Prometheus metrics (T4), on a registry of its own so that two
// services in one process (tests) never share counters. Lambda keeps its CloudWatch
// embedded metrics instead (src/interfaces/lambda/refund-metrics.ts). Every label value is
// from a bounded set: route templates, never raw URLs; statuses, store kinds, job and
// channel names; never a tenant, key, card number or transaction id.
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { batchPaths, type BatchCountsSource, type BatchPath } from './batch-counts.ts';

export type PrometheusMetrics = {
  readonly registry: Registry;
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly httpDuration: Histogram<'route' | 'method' | 'status'>;
  readonly commits: Counter<'store' | 'outcome'>;
  readonly commitDuration: Histogram<'store'>;
  readonly statusChanges: Counter<'kind' | 'status'>;
  readonly jobRuns: Counter<'job' | 'outcome'>;
  readonly jobDuration: Histogram<'job'>;
  readonly notifications: Counter<'channel' | 'audience' | 'outcome'>;
  /** How the PostgreSQL store's group commit committed its batches, read from `source` at each scrape. */
  observeBatches(source: BatchCountsSource): void;
};

/** Seconds: from a fast commit on SQLite to a processor call near its timeout. */
const latencyBucketsSeconds = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const jobBucketsSeconds = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300];

export function createPrometheusMetrics(): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'contra_' });
  const registers = [registry];
  let batchSource: BatchCountsSource | null = null;
  const reported: Record<BatchPath, number> = { remembered: 0, shifted: 0, read: 0, stale: 0 };
  new Counter({
    name: 'contra_store_batches_total',
    help: 'PostgreSQL group-commit batches by path: remembered (one round trip on remembered rows), shifted (of those, shifted for another process\'s moves), read (decided on a locked read), stale (remembered rows found stale).',
    labelNames: ['path'], registers,
    // At each scrape, what the store counted since the last one.
    collect(): void {
      if (batchSource === null) return;
      const counts = batchSource.batchCounts();
      for (const path of batchPaths) {
        const grown = counts[path] - reported[path];
        if (grown > 0) this.inc({ path }, grown);
        reported[path] = counts[path];
      }
    },
  });
  return {
    observeBatches(source: BatchCountsSource): void {
      batchSource = source;
    },
    registry,
    httpRequests: new Counter({ name: 'contra_http_requests_total', help: 'HTTP requests answered, by route template, method and status code.', labelNames: ['route', 'method', 'status'], registers }),
    httpDuration: new Histogram({ name: 'contra_http_request_duration_seconds', help: 'Time to answer an HTTP request, by route template, method and status code.', labelNames: ['route', 'method', 'status'], buckets: latencyBucketsSeconds, registers }),
    commits: new Counter({ name: 'contra_store_commits_total', help: 'Changesets offered to the store, by store and outcome (committed, conflict, error).', labelNames: ['store', 'outcome'], registers }),
    commitDuration: new Histogram({ name: 'contra_store_commit_duration_seconds', help: 'Time to commit one changeset, by store.', labelNames: ['store'], buckets: latencyBucketsSeconds, registers }),
    statusChanges: new Counter({ name: 'contra_transaction_status_changes_total', help: 'Committed status changes of payments, refunds, transfers and reversals, by kind and new status.', labelNames: ['kind', 'status'], registers }),
    jobRuns: new Counter({ name: 'contra_job_runs_total', help: 'Background job runs, by job and outcome (succeeded, failed).', labelNames: ['job', 'outcome'], registers }),
    jobDuration: new Histogram({ name: 'contra_job_duration_seconds', help: 'Time one background job run took, by job.', labelNames: ['job'], buckets: jobBucketsSeconds, registers }),
    notifications: new Counter({ name: 'contra_notification_deliveries_total', help: 'Notification send attempts, by channel, audience and outcome (delivered, retryable_failure, refused, error).', labelNames: ['channel', 'audience', 'outcome'], registers }),
  };
}

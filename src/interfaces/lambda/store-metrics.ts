// The store's counts as CloudWatch embedded metrics (T4 on Lambda): transfers that ended
// (succeeded, failed, escalated), read from the changesets the store committed, whichever
// handler committed them (the HTTP API, or the status-query job that settles them later),
// and commits that failed outright. The stack alarms on the transfer failure rate.
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { transferKind } from '../../app/transfers/transfer-record.ts';
import type { StoreMetrics } from '../metrics/instrument-store.ts';
import { metricNames } from './lambda-contract.ts';

const endedTransfers: Readonly<Record<string, string>> = {
  'TRANSFER-SUCCESS': metricNames.transferSucceeded,
  'TRANSFER-FAILED': metricNames.transferFailed,
  'TRANSFER-ESCALATED': metricNames.transferEscalated,
};

/** Only what the alarms use is published: every other custom metric would cost without use. */
export function emfStoreMetrics(metrics: Metrics): StoreMetrics {
  return {
    commits: {
      inc: ({ outcome }) => {
        if (outcome === 'error') metrics.addMetric(metricNames.storeCommitError, MetricUnit.Count, 1);
      },
    },
    commitDuration: { observe: () => undefined },
    statusChanges: {
      inc: ({ kind, status }) => {
        const name = kind === transferKind ? endedTransfers[status] : undefined;
        if (name !== undefined) metrics.addMetric(name, MetricUnit.Count, 1);
      },
    },
  };
}

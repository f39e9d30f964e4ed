// The background jobs that exist today, by name, for every way of running them: the
// standalone scheduler inside `contra serve` and the scheduled Lambda handlers.
// The daily backup (B1) and the end-of-day reconciliation (V6) are run by `contra serve` on
// their own crons and by daily Lambda schedules.
import { requeryPendingPayments } from '../../app/payments/requery-payments.ts';
import { requeryPendingRefunds } from '../../app/refunds/requery-refunds.ts';
import { requeryPendingTransfers } from '../../app/transfers/requery-transfers.ts';
import { detectFailures } from '../../app/reversals/detect-failures.ts';
import { escalateOverdueDisputes } from '../../app/disputes/escalate-disputes.ts';
import { deliverNotifications } from '../../app/notifications/deliver-notifications.ts';
import { sealAllCheckpoints } from '../../app/audit/verify-audit.ts';
import { relayAudit } from '../../app/audit/relay-audit.ts';
import { backupAllTenants } from '../../app/backups/write-backup.ts';
import { reconcileAllTenants } from '../../app/reconciliation/run-reconciliation.ts';
import type { Config } from '../config.ts';
import type { Runtime } from '../runtime.ts';
import type { Job } from './scheduler.ts';

/** The jobs `contra serve` runs on an interval. */
export const intervalJobNames = [
  'requery-payments', 'requery-refunds', 'requery-transfers', 'detect-failures', 'escalate-disputes', 'deliver-notifications', 'seal-audit-checkpoints',
  'relay-audit',
  'reconcile-real-time',
] as const;
type IntervalJobName = (typeof intervalJobNames)[number];
/** Every job, including the daily ones: the backup to the configured target and yesterday's reconciliation. */
export const jobNames = [...intervalJobNames, 'backup', 'reconcile-eod'] as const;
export type JobName = (typeof jobNames)[number];

export function isJobName(name: string): name is JobName {
  return jobNames.some((known) => known === name);
}

export type JobRuntime = Pick<Runtime, 'deps' | 'notifications' | 'backups' | 'auditQueue'>;

/** Runs one job once; its report is plain JSON. */
export function runJob(name: JobName, runtime: JobRuntime): Promise<unknown> {
  const { deps } = runtime;
  switch (name) {
    case 'requery-payments':
      return requeryPendingPayments(deps);
    case 'requery-refunds':
      return requeryPendingRefunds(deps);
    case 'requery-transfers':
      return requeryPendingTransfers(deps);
    case 'detect-failures':
      return detectFailures(deps);
    case 'escalate-disputes':
      return escalateOverdueDisputes(deps);
    case 'deliver-notifications':
      return deliverNotifications(deps, runtime.notifications);
    case 'seal-audit-checkpoints':
      return sealAllCheckpoints(deps).then((checkpoints) => ({ checkpoints }));
    case 'relay-audit':
      // Without a queue there is nothing to relay to: the audit records are in the store either way.
      return runtime.auditQueue === null ? Promise.resolve({ skipped: 'CONTRA_AUDIT_QUEUE_URL is not set' }) : relayAudit(deps, runtime.auditQueue);
    case 'reconcile-real-time':
      return reconcileAllTenants(deps, 'real_time');
    case 'reconcile-eod':
      return reconcileAllTenants(deps, 'batch_eod');
    case 'backup':
      return backupAllTenants(deps, runtime.backups.blobs, { settleMs: runtime.backups.settleMs }).then((tenants) => ({ tenants }));
  }
}

/** Every interval job with the interval `contra serve` runs it at (the backup runs on its cron). */
export function backgroundJobs(
  runtime: JobRuntime,
  config: Pick<Config, 'requeryIntervalMs' | 'checkpointIntervalMs' | 'detectIntervalMs' | 'notifications' | 'auditRelayIntervalMs' | 'reconcileIntervalMs'>,
): Job[] {
  const intervalMs: Record<IntervalJobName, number> = {
    'requery-payments': config.requeryIntervalMs,
    'requery-refunds': config.requeryIntervalMs,
    'requery-transfers': config.requeryIntervalMs,
    'detect-failures': config.detectIntervalMs,
    'escalate-disputes': config.detectIntervalMs,
    'deliver-notifications': config.notifications.intervalMs,
    'seal-audit-checkpoints': config.checkpointIntervalMs,
    'relay-audit': config.auditRelayIntervalMs,
    'reconcile-real-time': config.reconcileIntervalMs,
  };
  // The relay runs only where a queue is configured.
  return intervalJobNames.filter((name) => name !== 'relay-audit' || runtime.auditQueue !== null).map((name) => ({ name, intervalMs: intervalMs[name], run: () => runJob(name, runtime) }));
}

// The background jobs that exist today, by name, for every way of running them: the
// standalone scheduler inside `contra serve` and the scheduled Lambda handlers.
import type { Dependencies } from '../../app/dependencies.ts';
import { requeryPendingPayments } from '../../app/payments/requery-payments.ts';
import { requeryPendingRefunds } from '../../app/refunds/requery-refunds.ts';
import { sealAllCheckpoints } from '../../app/audit/verify-audit.ts';
import type { Config } from '../config.ts';
import type { Job } from './scheduler.ts';

export const jobNames = ['requery-payments', 'requery-refunds', 'seal-audit-checkpoints'] as const;
export type JobName = (typeof jobNames)[number];

export function isJobName(name: string): name is JobName {
  return jobNames.some((known) => known === name);
}

/** Runs one job once over the dependencies; its report is plain JSON. */
export function runJob(name: JobName, deps: Dependencies): Promise<unknown> {
  switch (name) {
    case 'requery-payments':
      return requeryPendingPayments(deps);
    case 'requery-refunds':
      return requeryPendingRefunds(deps);
    case 'seal-audit-checkpoints':
      return sealAllCheckpoints(deps).then((checkpoints) => ({ checkpoints }));
  }
}

/** Every job with the interval `contra serve` runs it at. */
export function backgroundJobs(deps: Dependencies, config: Pick<Config, 'requeryIntervalMs' | 'checkpointIntervalMs'>): Job[] {
  const intervalMs: Record<JobName, number> = {
    'requery-payments': config.requeryIntervalMs,
    'requery-refunds': config.requeryIntervalMs,
    'seal-audit-checkpoints': config.checkpointIntervalMs,
  };
  return jobNames.map((name) => ({ name, intervalMs: intervalMs[name], run: () => runJob(name, deps) }));
}

// Scheduled Lambda handlers: an EventBridge scheduled event runs one background job once,
// the same job function `contra serve` runs on its timer. A failed run is rethrown, so it
// counts as a Lambda error (and alarms), and is also counted as the JobFailed metric.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { runJob, type JobName } from '../jobs/background-jobs.ts';
import { metricNames } from './lambda-contract.ts';
import type { LambdaRoot } from './lambda-root.ts';
import { instrumented } from './observability.ts';

/** The event an EventBridge schedule rule sends. */
const scheduledEventSchema = z.looseObject({
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  id: z.string(),
  time: z.string(),
});

export type JobResult =
  | { readonly job: JobName; readonly status: 'done'; readonly report: unknown; readonly durationMs: number }
  | { readonly job: JobName; readonly status: 'refused'; readonly reason: string };

export type ScheduledHandler = (event: unknown, context?: Context) => Promise<JobResult>;

/** A count a job's report carries, when it carries it. */
function countIn(report: unknown, field: string): number | null {
  if (typeof report !== 'object' || report === null) return null;
  const value = (report as Record<string, unknown>)[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * What a run left undone, as metrics the alarms watch (deploy/aws/lib/alarms.ts): items it
 * could not handle, and notifications it gave up on. The standalone service's Prometheus
 * rules watch the same through its own metrics.
 */
function recordReportMetrics(metrics: LambdaRoot['observability']['metrics'], report: unknown): void {
  const errors = countIn(report, 'errors');
  if (errors !== null) metrics.addMetric(metricNames.jobItemErrors, MetricUnit.Count, errors);
  const dead = countIn(report, 'dead');
  if (dead !== null) metrics.addMetric(metricNames.notificationDeadLettered, MetricUnit.Count, dead);
}

export function scheduledHandlerFor(root: Pick<LambdaRoot, 'runtime' | 'observability'>, job: JobName): ScheduledHandler {
  const { logger, metrics } = root.observability;
  return (event, context) => instrumented(root.observability, context, async () => {
    const scheduled = scheduledEventSchema.safeParse(event);
    if (!scheduled.success) {
      // Only the schedule may start a job here; anything else is ignored, not retried.
      logger.warn('not an EventBridge scheduled event; the job did not run', { job });
      metrics.addMetric(metricNames.jobRefused, MetricUnit.Count, 1);
      return { job, status: 'refused', reason: 'not an EventBridge scheduled event' };
    }
    metrics.addDimension('job', job);
    metrics.addMetric(metricNames.jobRun, MetricUnit.Count, 1);
    const startedAt = performance.now();
    try {
      const report = await runJob(job, root.runtime);
      recordReportMetrics(metrics, report);
      const durationMs = Math.round(performance.now() - startedAt);
      logger.info('job finished', { job, eventId: scheduled.data.id, scheduledAt: scheduled.data.time, report, durationMs });
      return { job, status: 'done', report, durationMs };
    } catch (error) {
      metrics.addMetric(metricNames.jobFailed, MetricUnit.Count, 1);
      throw error;
    }
  });
}

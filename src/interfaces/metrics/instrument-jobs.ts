// Counts and times every run of a background job (T4), whichever scheduler runs it.
import type { PrometheusMetrics } from './prometheus-metrics.ts';
import { secondsSince } from './elapsed.ts';

export function instrumentJob<Job extends { readonly name: string; readonly run: () => Promise<unknown> }>(job: Job, metrics: PrometheusMetrics | null): Job {
  if (metrics === null) return job;
  const run = async (): Promise<unknown> => {
    const startedAt = performance.now();
    try {
      const result = await job.run();
      metrics.jobRuns.inc({ job: job.name, outcome: 'succeeded' });
      return result;
    } catch (error) {
      metrics.jobRuns.inc({ job: job.name, outcome: 'failed' });
      throw error;
    } finally {
      metrics.jobDuration.observe({ job: job.name }, secondsSince(startedAt));
    }
  };
  return { ...job, run };
}

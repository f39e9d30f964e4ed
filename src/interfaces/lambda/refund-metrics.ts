// The refund metrics the deployed stack alarms on (the refund failure rate): every refund
// request through a Lambda handler counts once, and its outcome by the HTTP status it got.
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { metricNames } from './lambda-contract.ts';
import type { ProxyRequest } from './proxy-event.ts';

export const refundPath = /^\/api\/v1\/payments\/[^/]+\/refunds$/;

export function isRefundRequest(request: ProxyRequest): boolean {
  return request.method === 'POST' && refundPath.test(request.path);
}

/**
 * 200 succeeded, 202 pending at the processor, 502 declined or errored at the processor
 * and any 5xx of ours failed. Refusals (4xx) are the client's mistakes, not failures.
 */
export function recordRefundOutcome(metrics: Metrics, statusCode: number): void {
  metrics.addMetric(metricNames.refundRequested, MetricUnit.Count, 1);
  if (statusCode === 200) metrics.addMetric(metricNames.refundSucceeded, MetricUnit.Count, 1);
  else if (statusCode === 202) metrics.addMetric(metricNames.refundPending, MetricUnit.Count, 1);
  else if (statusCode >= 500) metrics.addMetric(metricNames.refundFailed, MetricUnit.Count, 1);
}

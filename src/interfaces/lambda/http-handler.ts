// The whole HTTP API behind API Gateway as one Lambda handler: proxy events of REST APIs
// (payload v1) and HTTP APIs (payload v2) are handed to the same routes the server runs.
// Every reply keeps the API's body, which is the seeds' Lambda shape `{ statusCode, body }`.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { metricNames } from './lambda-contract.ts';
import type { LambdaRoot } from './lambda-root.ts';
import { instrumented } from './observability.ts';
import { readProxyEvent, type ProxyResult } from './proxy-event.ts';
import { errorResult, injectProxyRequest } from './proxy-inject.ts';
import { isRefundRequest, recordRefundOutcome } from './refund-metrics.ts';

export type HttpHandler = (event: unknown, context?: Context) => Promise<ProxyResult>;

export function httpHandlerFor(root: Pick<LambdaRoot, 'app' | 'observability'>): HttpHandler {
  const { logger, metrics } = root.observability;
  return (event, context) => instrumented(root.observability, context, async () => {
    metrics.addMetric(metricNames.httpRequest, MetricUnit.Count, 1);
    const request = readProxyEvent(event);
    if (request === null) {
      logger.warn('not an API Gateway proxy event');
      return errorResult('invalid_request', 'event', 'is not an API Gateway proxy event (payload v1 or v2)');
    }
    const startedAt = performance.now();
    const result = await injectProxyRequest(root.app, request);
    if (isRefundRequest(request)) recordRefundOutcome(metrics, result.statusCode);
    if (result.statusCode >= 500) metrics.addMetric(metricNames.httpServerError, MetricUnit.Count, 1);
    logger.info('request', {
      method: request.method,
      path: request.path,
      statusCode: result.statusCode,
      durationMs: Math.round(performance.now() - startedAt),
    });
    return result;
  });
}

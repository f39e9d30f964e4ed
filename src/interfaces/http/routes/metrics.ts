// GET /metrics (T4): the Prometheus text exposition of the standalone service, and the hook
// that counts and times every HTTP answer by its route template (never the raw URL, which
// carries ids). Open like /healthz on the loopback default; with CONTRA_METRICS_TOKEN set,
// a scraper must present it as a bearer token.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PrometheusMetrics } from '../../metrics/prometheus-metrics.ts';
import { sendError } from '../send.ts';

/** Compares digests, so neither the token's content nor its length leaks through timing. */
function presentsToken(request: FastifyRequest, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (match?.[1] === undefined) return false;
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}

export function registerMetricsRoutes(app: FastifyInstance, metrics: PrometheusMetrics, token: string | null): void {
  app.addHook('onResponse', (request, reply, done) => {
    // Unmatched paths share one label value: a scanner probing URLs adds no series.
    const labels = { route: request.routeOptions.url ?? 'unmatched', method: request.method, status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (token !== null && !presentsToken(request, token)) return sendError(reply, 'unauthorized');
    const text = await metrics.registry.metrics();
    return reply.code(200).type(metrics.registry.contentType).send(text);
  });
}

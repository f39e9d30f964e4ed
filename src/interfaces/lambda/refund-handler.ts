// The Refund Processing Lambda of seed 001: an API Gateway proxy event for
// POST /api/v1/payments/{transaction_id}/refunds in, `{ statusCode, body }` out, where the
// body is the seed's `{ message, refund_transaction_id, status, processor_message, … }`.
// The event is handed to the same HTTP routes the service runs (Fastify's in-process
// inject, no socket), so authentication, validation, idempotency and every error code
// are exactly those of the HTTP API.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { errorReply } from '../error-catalog.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { openRuntime } from '../runtime.ts';
import { buildHttpServer, type HttpContext } from '../http/server.ts';
import { readProxyEvent, type ProxyResult } from './proxy-event.ts';

const refundPath = /^\/api\/v1\/payments\/[^/]+\/refunds$/;

function errorResult(code: string, field?: string, detail?: string): ProxyResult {
  const reply = errorReply(code, field, detail);
  return { statusCode: reply.statusCode, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(reply.body) };
}

export type RefundHandler = (event: unknown) => Promise<ProxyResult>;

/** A handler over an already built HTTP application (tests, or a warm Lambda container). */
export function refundHandlerFor(app: FastifyInstance): RefundHandler {
  return async (event) => {
    const request = readProxyEvent(event);
    if (request === null) return errorResult('invalid_request', 'event', 'is not an API Gateway proxy event (payload v1 or v2)');
    if (request.method !== 'POST' || !refundPath.test(request.path)) return errorResult('route_not_found');
    // The body may have been base64-decoded: its length is recomputed, never trusted.
    const { 'content-length': _length, ...headers } = request.headers;
    const response = await app.inject({
      method: 'POST',
      url: request.path,
      headers,
      ...(request.body === undefined ? {} : { payload: request.body }),
    });
    const sent: Record<string, string> = { 'content-type': String(response.headers['content-type'] ?? 'application/json; charset=utf-8') };
    const replayed = response.headers['idempotency-replayed'];
    if (typeof replayed === 'string') sent['idempotency-replayed'] = replayed;
    return { statusCode: response.statusCode, headers: sent, body: response.body };
  };
}

export async function buildRefundHandler(context: HttpContext, logger: Logger): Promise<RefundHandler> {
  const app = await buildHttpServer(context, { logger });
  await app.ready();
  return refundHandlerFor(app);
}

let warm: Promise<RefundHandler> | null = null;

/** The Lambda entry point: the runtime is opened once per container, from the environment. */
export async function handler(event: unknown): Promise<ProxyResult> {
  warm ??= (async () => {
    const config = loadConfig(process.env);
    const logger = createLogger(config.logLevel);
    const runtime = await openRuntime(config, logger);
    return buildRefundHandler(runtime, logger);
  })().catch((error: unknown) => {
    warm = null; // the next invocation tries again instead of failing forever
    throw error;
  });
  return (await warm)(event);
}

// The Refund Processing Lambda of seed 001: an API Gateway proxy event for
// POST /api/v1/payments/{transaction_id}/refunds in, `{ statusCode, body }` out, where the
// body is the seed's `{ message, refund_transaction_id, status, processor_message, … }`.
// The event is handed to the same HTTP routes the service runs (Fastify's in-process
// inject, no socket), so authentication, validation, idempotency and every error code
// are exactly those of the HTTP API.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Context } from 'aws-lambda';
import { buildHttpServer, type HttpContext } from '../http/server.ts';
import { readProxyEvent, type ProxyResult } from './proxy-event.ts';
import { errorResult, injectProxyRequest } from './proxy-inject.ts';
import { isRefundRequest, recordRefundOutcome } from './refund-metrics.ts';
import { instrumented, type Observability } from './observability.ts';
import { warmLambdaRoot } from './lambda-root.ts';

export type RefundHandler = (event: unknown, context?: Context) => Promise<ProxyResult>;

async function answer(app: FastifyInstance, event: unknown, observability: Observability | undefined): Promise<ProxyResult> {
  const request = readProxyEvent(event);
  if (request === null) return errorResult('invalid_request', 'event', 'is not an API Gateway proxy event (payload v1 or v2)');
  if (!isRefundRequest(request)) return errorResult('route_not_found');
  const result = await injectProxyRequest(app, request);
  if (observability !== undefined) recordRefundOutcome(observability.metrics, result.statusCode);
  return result;
}

/** A handler over an already built HTTP application (tests, or a warm Lambda container). */
export function refundHandlerFor(app: FastifyInstance, observability?: Observability): RefundHandler {
  return (event, context) => (observability === undefined
    ? answer(app, event, undefined)
    : instrumented(observability, context, () => answer(app, event, observability)));
}

export async function buildRefundHandler(context: HttpContext, logger: Logger): Promise<RefundHandler> {
  const app = await buildHttpServer(context, { logger });
  await app.ready();
  return refundHandlerFor(app);
}

/** The Lambda entry point kept from the first version; handlers.ts `refund` is the same. */
export async function handler(event: unknown, context?: Context): Promise<ProxyResult> {
  const root = await warmLambdaRoot();
  return refundHandlerFor(root.app, root.observability)(event, context);
}

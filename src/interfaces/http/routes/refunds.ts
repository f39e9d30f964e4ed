// Refunds (R1–R8): POST /api/v1/payments/:transaction_id/refunds, the reads, and the
// approver's rollback.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestRefund } from '../../../app/refunds/request-refund.ts';
import { getRefund, listPaymentRefunds } from '../../../app/refunds/read-refunds.ts';
import { rollBackRefund } from '../../../app/refunds/roll-back-refund.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendResult } from '../send.ts';
import { amountSchema, currencySchema, idempotencyHeaderSchema, reasonSchema } from '../schemas.ts';

const refundBody = z.strictObject({
  amount: amountSchema.optional().describe('Omitted: the whole remaining refundable amount.'),
  currency: currencySchema.optional().describe('If given, must be the payment\'s currency.'),
  reason: reasonSchema,
});
const rollbackBody = z.strictObject({ reason: reasonSchema });
const transactionParams = z.strictObject({ transaction_id: z.string().max(64) });
const refundParams = z.strictObject({ refund_transaction_id: z.string().max(80) });

export function registerRefundRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post('/api/v1/payments/:transaction_id/refunds', {
    schema: { tags: ['refunds'], summary: 'Refund a payment in full or in part.', params: transactionParams, body: refundBody, headers: idempotencyHeaderSchema },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.createRefunds);
    if (principal === null) return reply;
    const { amount, currency, reason } = request.body;
    const key = request.headers['idempotency-key'];
    const result = await requestRefund(deps, principal, {
      transactionId: request.params.transaction_id, reason,
      ...(amount === undefined ? {} : { amount }), ...(currency === undefined ? {} : { currency }),
    }, key === undefined ? null : { key, requestHash: '' });
    return sendResult(reply, result);
  });
  typed.get('/api/v1/payments/:transaction_id/refunds', {
    schema: { tags: ['refunds'], summary: 'Every refund of a payment, oldest first (audited).', params: transactionParams },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readLedger);
    if (principal === null) return reply;
    return sendResult(reply, await listPaymentRefunds(deps, principal, request.params.transaction_id));
  });
  typed.get('/api/v1/refunds/:refund_transaction_id', {
    schema: { tags: ['refunds'], summary: 'Read a refund (audited).', params: refundParams },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readLedger);
    if (principal === null) return reply;
    return sendResult(reply, await getRefund(deps, principal, request.params.refund_transaction_id));
  });
  typed.post('/api/v1/refunds/:refund_transaction_id/rollback', {
    schema: { tags: ['refunds'], summary: 'Undo a wrong refund with compensating entries (approver).', params: refundParams, body: rollbackBody, headers: idempotencyHeaderSchema },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.approveRollbacks);
    if (principal === null) return reply;
    const key = request.headers['idempotency-key'];
    return sendResult(reply, await rollBackRefund(deps, principal, { refundId: request.params.refund_transaction_id, reason: request.body.reason }, key ?? null));
  });
}

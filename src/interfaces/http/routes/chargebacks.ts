// Chargebacks (R9): POST /api/v1/payments/:transaction_id/chargebacks,
// GET the same path, and POST /api/v1/chargebacks/:id/resolve.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listChargebacks, recordChargeback, resolveChargeback } from '../../../app/chargebacks/chargebacks.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendResult } from '../send.ts';
import { amountSchema, idempotencyHeaderSchema } from '../schemas.ts';

const chargebackBody = z.strictObject({
  amount: amountSchema,
  reason_code: z.string().trim().min(1).max(32).describe('The card network\'s reason code, e.g. "10.4".'),
});
const resolveBody = z.strictObject({ outcome: z.enum(['won', 'lost']) });
const transactionParams = z.strictObject({ transaction_id: z.string().max(64) });
const chargebackParams = z.strictObject({ id: z.string().max(64) });

export function registerChargebackRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post('/api/v1/payments/:transaction_id/chargebacks', {
    schema: { tags: ['chargebacks'], summary: 'Record a chargeback; refunds of the payment are blocked while it is open.', params: transactionParams, body: chargebackBody, headers: idempotencyHeaderSchema },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.recordChargebacks);
    if (principal === null) return reply;
    const input = { transactionId: request.params.transaction_id, amount: request.body.amount, reasonCode: request.body.reason_code };
    return sendResult(reply, await recordChargeback(deps, principal, input, request.headers['idempotency-key'] ?? null));
  });
  typed.get('/api/v1/payments/:transaction_id/chargebacks', {
    schema: { tags: ['chargebacks'], summary: 'The chargebacks of a payment.', params: transactionParams },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readLedger);
    if (principal === null) return reply;
    return sendResult(reply, await listChargebacks(deps, principal, request.params.transaction_id));
  });
  typed.post('/api/v1/chargebacks/:id/resolve', {
    schema: { tags: ['chargebacks'], summary: 'Resolve a chargeback as won or lost.', params: chargebackParams, body: resolveBody, headers: idempotencyHeaderSchema },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.recordChargebacks);
    if (principal === null) return reply;
    return sendResult(reply, await resolveChargeback(deps, principal, { chargebackId: request.params.id, outcome: request.body.outcome }, request.headers['idempotency-key'] ?? null));
  });
}

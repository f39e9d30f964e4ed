// Payments (P1–P5): POST /api/v1/payments, GET /api/v1/payments/:transaction_id and
// GET /api/v1/payments/:transaction_id/ledger (audited).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createPayment } from '../../../app/payments/create-payment.ts';
import { getPayment, getPaymentLedger } from '../../../app/payments/read-payment.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendResult } from '../send.ts';
import { amountSchema, clientIdSchema, currencySchema, idempotencyHeaderSchema, metadataSchema, transactionIdSchema } from '../schemas.ts';

const cardSchema = z.strictObject({
  number: z.string().max(32).describe('Card number; never stored, logged or returned.'),
  exp_month: z.int().min(1).max(12),
  exp_year: z.int().min(2000).max(2100),
  cvc: z.string().max(4),
});

const createPaymentBody = z.strictObject({
  transaction_id: transactionIdSchema.describe('Your TransactionID: unique per tenant; a retry with the same body replays the first answer.'),
  amount: amountSchema,
  currency: currencySchema,
  processor_id: z.string().min(1).max(64),
  card: cardSchema,
  customer_account_id: clientIdSchema.optional(),
  merchant_account_id: clientIdSchema.optional(),
  fees: z.array(z.strictObject({ type: z.enum(['fee', 'tax']), amount: amountSchema })).max(8).optional(),
  metadata: metadataSchema.optional(),
  settlement_currency: currencySchema.optional().describe('R7: the currency the merchant is settled in, when not the payment\'s.'),
  fx_rate: z.string().max(32).optional().describe('Units of settlement_currency per one unit of currency, e.g. "1550.25"; recorded with the payment.'),
});

const transactionParams = z.strictObject({ transaction_id: z.string().max(64) });

export function registerPaymentRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post('/api/v1/payments', {
    schema: { tags: ['payments'], summary: 'Create a payment and ask the processor to authorize it.', body: createPaymentBody, headers: idempotencyHeaderSchema },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.createPayments);
    if (principal === null) return reply;
    const body = request.body;
    const key = request.headers['idempotency-key'];
    const result = await createPayment(deps, principal, {
      transactionId: body.transaction_id,
      amount: body.amount,
      currency: body.currency,
      processorId: body.processor_id,
      card: { number: body.card.number, expMonth: body.card.exp_month, expYear: body.card.exp_year, cvc: body.card.cvc },
      ...(body.customer_account_id === undefined ? {} : { customerAccountId: body.customer_account_id }),
      ...(body.merchant_account_id === undefined ? {} : { merchantAccountId: body.merchant_account_id }),
      ...(body.fees === undefined ? {} : { fees: body.fees }),
      ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
      ...(body.settlement_currency === undefined ? {} : { settlementCurrency: body.settlement_currency }),
      ...(body.fx_rate === undefined ? {} : { fxRate: body.fx_rate }),
    }, key === undefined ? null : { key, requestHash: '' });
    return sendResult(reply, result);
  });
  typed.get('/api/v1/payments/:transaction_id', {
    schema: { tags: ['payments'], summary: 'Read a payment (audited).', params: transactionParams },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readLedger);
    if (principal === null) return reply;
    return sendResult(reply, await getPayment(deps, principal, request.params.transaction_id));
  });
  typed.get('/api/v1/payments/:transaction_id/ledger', {
    schema: { tags: ['payments'], summary: 'Every PaymentLedger entry and journal transfer of a transaction (audited).', params: transactionParams },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readLedger);
    if (principal === null) return reply;
    return sendResult(reply, await getPaymentLedger(deps, principal, request.params.transaction_id));
  });
}

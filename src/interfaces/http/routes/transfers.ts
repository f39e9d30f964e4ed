// Transfers (V1): POST /api/v1/transfers (to an account here or to another bank over the
// inter-bank switch) and GET /api/v1/transfers/:reference.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createTransfer } from '../../../app/transfers/create-transfer.ts';
import { getTransfer } from '../../../app/transfers/read-transfer.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendResult } from '../send.ts';
import { amountSchema, currencySchema, idempotencyHeaderSchema, transactionIdSchema } from '../schemas.ts';

const receiverSchema = z.union([
  z.strictObject({ account_id: z.string().min(1).max(64) }),
  z.strictObject({
    bank_code: z.string().regex(/^[0-9]{3,6}$/, 'must be 3-6 digits'),
    account_number: z.string().regex(/^[0-9]{10}$/, 'must be the 10-digit NUBAN account number'),
    account_name: z.string().trim().min(1).max(100),
  }),
]).describe('An account held here ({ account_id }) or an account at another bank ({ bank_code, account_number, account_name }).');

const transferBody = z.strictObject({
  reference: transactionIdSchema.describe('Unique per tenant; sending the same request again replays the first answer.'),
  sender_account_id: z.string().min(1).max(64),
  receiver: receiverSchema,
  amount: amountSchema,
  currency: currencySchema,
  channel: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be a lower-case word such as "mobile"').optional().describe('Where the transfer came from (mobile, web, ussd, branch, api); reversal rules may depend on it.'),
});
const transferParams = z.strictObject({ reference: z.string().max(64) });

export function registerTransferRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post('/api/v1/transfers', {
    schema: { tags: ['transfers'], summary: 'Send money to an account here or at another bank.', body: transferBody, headers: idempotencyHeaderSchema },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.createTransfers);
    if (principal === null) return reply;
    const body = request.body;
    const receiver = 'account_id' in body.receiver
      ? { accountId: body.receiver.account_id }
      : { bankCode: body.receiver.bank_code, accountNumber: body.receiver.account_number, accountName: body.receiver.account_name };
    return sendResult(reply, await createTransfer(deps, principal, {
      reference: body.reference, senderAccountId: body.sender_account_id, receiver, amount: body.amount, currency: body.currency,
      ...(body.channel === undefined ? {} : { channel: body.channel }),
    }, request.headers['idempotency-key'] ?? null));
  });
  typed.get('/api/v1/transfers/:reference', {
    schema: { tags: ['transfers'], summary: 'Read a transfer and its status history (audited).', params: transferParams },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readLedger);
    if (principal === null) return reply;
    return sendResult(reply, await getTransfer(deps, principal, request.params.reference));
  });
}

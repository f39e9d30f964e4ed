// Accounts and their journal entries: POST /api/v1/accounts, GET /api/v1/accounts/:id
// (optionally ?as_of=<ISO time>), GET /api/v1/accounts/:id/entries.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accountTypes } from '../../../domain/journal/accounts.ts';
import { parseCurrency } from '../../../domain/money/money.ts';
import { createAccount, getAccount, listAccountEntries } from '../../../app/accounts/accounts.ts';
import { requestHash } from '../../../app/shared/request-hash.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendError, sendResult } from '../send.ts';
import { clientIdSchema, currencySchema, idempotencyHeaderSchema, pageQuerySchema } from '../schemas.ts';

const createAccountBody = z.strictObject({
  account_id: clientIdSchema.optional(),
  type: z.enum(accountTypes),
  currency: currencySchema,
  name: z.string().min(1).max(200).optional(),
  allow_negative: z.boolean().optional(),
});
const accountParams = z.strictObject({ account_id: z.string().max(64) });

export function registerAccountRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post('/api/v1/accounts', {
    schema: { tags: ['ledger'], summary: 'Create an account.', body: createAccountBody, headers: idempotencyHeaderSchema },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.writeAccounts);
    if (principal === null) return reply;
    const body = request.body;
    const currency = parseCurrency(body.currency);
    if (!currency.ok) return sendError(reply, currency.code, currency.field, currency.detail);
    const key = request.headers['idempotency-key'];
    const result = await createAccount(deps, principal, {
      type: body.type,
      currency: currency.value,
      ...(body.account_id === undefined ? {} : { accountId: body.account_id }),
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(body.allow_negative === undefined ? {} : { allowNegative: body.allow_negative }),
    }, key === undefined ? null : { key, requestHash: requestHash('account', body) });
    return sendResult(reply, result);
  });
  typed.get('/api/v1/accounts/:account_id', {
    schema: {
      tags: ['ledger'], summary: 'Read an account\'s balances, now or as of a time (audited).', params: accountParams,
      querystring: z.strictObject({ as_of: z.iso.datetime({ offset: true }).optional() }),
    },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readLedger);
    if (principal === null) return reply;
    const asOf = request.query.as_of === undefined ? null : Date.parse(request.query.as_of);
    return sendResult(reply, await getAccount(deps, principal, request.params.account_id, asOf));
  });
  typed.get('/api/v1/accounts/:account_id/entries', {
    schema: { tags: ['ledger'], summary: 'Page through an account\'s transfers, oldest first (audited).', params: accountParams, querystring: pageQuerySchema },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readLedger);
    if (principal === null) return reply;
    const { limit, cursor } = request.query;
    return sendResult(reply, await listAccountEntries(deps, principal, request.params.account_id, { limit, ...(cursor === undefined ? {} : { cursor }) }));
  });
}

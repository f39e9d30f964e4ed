// Reconciliation (V6): run one now — real-time since the checkpoint, or the batch of one
// Lagos day with an optional settlement statement (CSV text in the `statement` field) —
// and read the runs' logs.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getReconciliation, listReconciliations } from '../../../app/reconciliation/read-reconciliations.ts';
import { reconciliationTypes } from '../../../app/reconciliation/reconciliation-record.ts';
import { batchDate, parseStatementText, runReconciliation } from '../../../app/reconciliation/run-reconciliation.ts';
import { initiatorOf } from '../../../app/access/principal.ts';
import { statementHeader, type Statement } from '../../../domain/reconciliation/settlement-statement.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendError, sendResult, sendReply } from '../send.ts';
import { pageQuerySchema } from '../schemas.ts';

const runBody = z.strictObject({
  type: z.enum(reconciliationTypes).describe('real_time: the transfers since the checkpoint; batch_eod: one Lagos business day.'),
  date: z.string().max(10).optional().describe('batch_eod only: the Lagos day YYYY-MM-DD (default yesterday).'),
  statement: z.string().optional().describe(`batch_eod only: the settlement statement as CSV text, first line "${statementHeader}" (docs/guides/reconciliation.md).`),
});
const runParams = z.strictObject({ id: z.string().max(40) });
const listQuery = pageQuerySchema.extend({
  type: z.enum(reconciliationTypes).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export function registerReconciliationRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post('/api/v1/reconciliations', {
    schema: { tags: ['reconciliation'], summary: 'Run a reconciliation now: real-time since the checkpoint, or the batch of one day with an optional settlement statement.', body: runBody },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.runReconciliation);
    if (principal === null) return reply;
    const { type, date, statement } = request.body;
    if (type === 'real_time' && (date !== undefined || statement !== undefined)) {
      return sendError(reply, 'invalid_request', date === undefined ? 'statement' : 'date', 'a real_time run covers the transfers since its checkpoint; a date and a statement belong to batch_eod');
    }
    let parsed: Statement | undefined;
    if (statement !== undefined) {
      // The statement is read (and a bad row refused) before anything is written.
      const day = batchDate(deps.clock.now(), date);
      if (!day.ok) return sendResult(reply, day);
      const read = parseStatementText(statement, day.value);
      if (!read.ok) return sendResult(reply, read);
      parsed = read.value;
    }
    return sendResult(reply, await runReconciliation(deps, principal.tenantId, {
      type, ...(date === undefined ? {} : { date }), ...(parsed === undefined ? {} : { statement: parsed }),
    }, initiatorOf(principal)));
  });
  typed.get('/api/v1/reconciliations', {
    schema: { tags: ['reconciliation'], summary: 'List reconciliation runs (filters: type, from, to; cursor pages).', querystring: listQuery },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readLedger);
    if (principal === null) return reply;
    const query = request.query;
    return sendReply(reply, await listReconciliations(deps, principal, {
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.type === undefined ? {} : { type: query.type }),
      ...(query.from === undefined ? {} : { fromAt: Date.parse(query.from) }),
      ...(query.to === undefined ? {} : { toAt: Date.parse(query.to) }),
    }));
  });
  typed.get('/api/v1/reconciliations/:id', {
    schema: { tags: ['reconciliation'], summary: 'Read one reconciliation run with its first mismatches and what each led to (audited).', params: runParams },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readLedger);
    if (principal === null) return reply;
    return sendResult(reply, await getReconciliation(deps, principal, request.params.id));
  });
}

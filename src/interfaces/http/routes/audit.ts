// The PaymentAuditTrail for auditors: GET /api/v1/audit (search, decrypted) and
// GET /api/v1/audit/verify (hash chains and checkpoints).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { searchAudit } from '../../../app/audit/search-audit.ts';
import { verifyAuditTrail } from '../../../app/audit/verify-audit.ts';
import { pageSizeMax } from '../../../app/ports/store.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendReply, sendResult } from '../send.ts';
import { pageCursorLengthMax } from '../schemas.ts';

const auditQuery = z.strictObject({
  transaction_id: z.string().max(64).optional(),
  initiator: z.string().max(128).optional(),
  action: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(pageSizeMax).default(50),
  cursor: z.string().max(pageCursorLengthMax).optional(),
});

export function registerAuditRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/api/v1/audit', {
    schema: { tags: ['audit'], summary: 'Search the audit trail; details decrypted (auditor).', querystring: auditQuery },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readAudit);
    if (principal === null) return reply;
    const query = request.query;
    const filter = {
      ...(query.transaction_id === undefined ? {} : { transactionId: query.transaction_id }),
      ...(query.initiator === undefined ? {} : { initiator: query.initiator }),
      ...(query.action === undefined ? {} : { action: query.action }),
      ...(query.from === undefined ? {} : { fromAt: Date.parse(query.from) }),
      ...(query.to === undefined ? {} : { toAt: Date.parse(query.to) }),
    };
    const page = { limit: query.limit, ...(query.cursor === undefined ? {} : { cursor: query.cursor }) };
    return sendResult(reply, await searchAudit(deps, principal, filter, page));
  });
  typed.get('/api/v1/audit/verify', {
    schema: { tags: ['audit'], summary: 'Verify the hash chains and checkpoints of the audit trail.' },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.verifyAudit);
    if (principal === null) return reply;
    const verification = await verifyAuditTrail(deps, principal.tenantId);
    const intact = verification.status === 'intact';
    return sendReply(reply, {
      statusCode: 200,
      body: {
        message: intact ? 'The audit trail is intact.' : 'The audit trail has been tampered with.',
        status: verification.status,
        records_checked: verification.recordsChecked,
        ...(verification.firstBroken === undefined ? {} : {
          first_broken: {
            record_id: verification.firstBroken.recordId,
            stream: verification.firstBroken.stream,
            sequence: verification.firstBroken.sequence,
            problem: verification.firstBroken.problem,
          },
        }),
      },
    });
  });
}

// Failed-transfer reversals (V2–V5) under the seed's paths: run detection now, request a
// manual reversal, list and read reversals, approve (maker-checker) or reject one, roll a
// wrong one back (R8).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { failureTypes } from '../../../domain/interbank/failure-type.ts';
import { detectFailures } from '../../../app/reversals/detect-failures.ts';
import { approveReversal, rejectReversal, type TenantPrincipal } from '../../../app/reversals/decide-reversal.ts';
import type { Dependencies } from '../../../app/dependencies.ts';
import type { StoredReply } from '../../../app/shared/reply.ts';
import { refuse, type Result } from '../../../domain/result.ts';
import { getReversal, listReversals } from '../../../app/reversals/read-reversals.ts';
import { requestReversal } from '../../../app/reversals/request-reversal.ts';
import { reversalResolutions, reversalStatuses } from '../../../app/reversals/reversal-record.ts';
import { rejectReversalAsPaid } from '../../../app/reversals/reject-as-paid.ts';
import { rollBackReversal } from '../../../app/reversals/roll-back-reversal.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendError, sendReply, sendResult } from '../send.ts';
import { idempotencyHeaderSchema, pageQuerySchema, reasonSchema } from '../schemas.ts';

const requestBody = z.strictObject({
  failed_transaction_id: z.string().min(1).max(80).optional(),
  transfer_reference: z.string().min(1).max(64).optional(),
  reason: reasonSchema,
});
/** A settlement session id or a statement line: enough to find the evidence again, never a document. */
export const evidenceLengthMax = 120;
const rejectBody = z.strictObject({
  reason: reasonSchema,
  resolution: z.enum(reversalResolutions).optional()
    .describe('"paid": the beneficiary was credited (e.g. the settlement bank confirmed it) though the status query cannot say; the transfer is settled as a success.'),
  evidence: z.string().trim().min(1).max(evidenceLengthMax).optional()
    .describe('With resolution "paid": a short reference to the evidence (e.g. the settlement session id); kept in the audit trail.'),
});
const rollbackBody = z.strictObject({
  reason: reasonSchema,
  evidence: z.string().trim().min(1).max(evidenceLengthMax).optional()
    .describe('A short reference to the evidence that the beneficiary was credited (e.g. the statement line or settlement session id); kept in the audit trail.'),
});
const reversalParams = z.strictObject({ id: z.string().max(40) });
const listQuery = pageQuerySchema.extend({
  status: z.enum(reversalStatuses).optional(),
  type: z.enum(failureTypes).optional().describe('Failure type of the reversed transaction.'),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

/** A plain rejection keeps the money held; `resolution: "paid"` settles the transfer as a success. */
function reject(deps: Dependencies, principal: TenantPrincipal, id: string, body: z.infer<typeof rejectBody>, idempotencyKey: string | null): Promise<Result<StoredReply>> {
  const { reason, resolution, evidence } = body;
  if (resolution === 'paid') return rejectReversalAsPaid(deps, principal, id, { reason, ...(evidence === undefined ? {} : { evidence }) }, idempotencyKey);
  if (evidence !== undefined) return Promise.resolve(refuse('invalid_request', 'evidence', 'evidence is only taken with resolution "paid"'));
  return rejectReversal(deps, principal, id, reason, idempotencyKey);
}

export function registerReversalRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post('/api/v1/transactions/reversals/detect', {
    schema: { tags: ['reversals'], summary: 'Run failure detection now: status-query orphaned debits, flag glitch bursts.' },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.runDetection);
    if (principal === null) return reply;
    const report = await detectFailures(deps, { tenantId: principal.tenantId });
    return sendReply(reply, {
      statusCode: 200,
      body: {
        message: 'Detection ran.', status: 'ok', examined: report.examined, succeeded: report.succeeded, failed: report.failed,
        still_pending: report.stillPending, escalated: report.escalated, orphaned_debits: report.orphanedDebits,
        glitch_bursts: report.glitchBursts.map((burst) => ({ alert_id: burst.alertId, bank_code: burst.bankCode, count: burst.count, new: burst.new })),
      },
    });
  });
  typed.post('/api/v1/transactions/reversals', {
    schema: { tags: ['reversals'], summary: 'Ask for a manual reversal of a failed transfer.', body: requestBody, headers: idempotencyHeaderSchema },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.requestReversals);
    if (principal === null) return reply;
    const { failed_transaction_id: failedTransactionId, transfer_reference: transferReference, reason } = request.body;
    if ((failedTransactionId === undefined) === (transferReference === undefined)) {
      return sendError(reply, 'invalid_request', 'failed_transaction_id', 'give exactly one of failed_transaction_id and transfer_reference');
    }
    return sendResult(reply, await requestReversal(deps, principal, {
      reason, ...(failedTransactionId === undefined ? {} : { failedTransactionId }), ...(transferReference === undefined ? {} : { transferReference }),
    }, request.headers['idempotency-key'] ?? null));
  });
  typed.get('/api/v1/transactions/reversals', {
    schema: { tags: ['reversals'], summary: 'List reversals (filters: status, type, from, to; cursor pages).', querystring: listQuery },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readLedger);
    if (principal === null) return reply;
    const query = request.query;
    return sendReply(reply, await listReversals(deps, principal, {
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.type === undefined ? {} : { failureType: query.type }),
      ...(query.from === undefined ? {} : { fromAt: Date.parse(query.from) }),
      ...(query.to === undefined ? {} : { toAt: Date.parse(query.to) }),
    }));
  });
  typed.get('/api/v1/transactions/reversals/:id', {
    schema: { tags: ['reversals'], summary: 'Read a reversal with its failed transaction (audited).', params: reversalParams },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readLedger);
    if (principal === null) return reply;
    return sendResult(reply, await getReversal(deps, principal, request.params.id));
  });
  registerDecisionRoutes(app, { deps, authenticator });
}

/** The decisions of approvers on one reversal: approve, reject, roll back (R8). */
function registerDecisionRoutes(app: FastifyInstance, { deps, authenticator }: Pick<HttpContext, 'deps' | 'authenticator'>): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post('/api/v1/transactions/reversals/:id/approve', {
    schema: { tags: ['reversals'], summary: 'Approve a manual reversal (approver, not the requester; admin above the high-value threshold).', params: reversalParams, headers: idempotencyHeaderSchema },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.approveReversals);
    if (principal === null) return reply;
    return sendResult(reply, await approveReversal(deps, principal, request.params.id, request.headers['idempotency-key'] ?? null));
  });
  typed.post('/api/v1/transactions/reversals/:id/reject', {
    schema: {
      tags: ['reversals'], params: reversalParams, body: rejectBody, headers: idempotencyHeaderSchema,
      summary: 'Reject a manual reversal: the failed transaction stays open and the money held (no money moves, so any approver may); or, with resolution "paid", settle the transfer as a success (that one not by the requester, and by an admin above the high-value threshold).',
    },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.approveReversals);
    if (principal === null) return reply;
    return sendResult(reply, await reject(deps, principal, request.params.id, request.body, request.headers['idempotency-key'] ?? null));
  });
  typed.post('/api/v1/transactions/reversals/:id/rollback', {
    schema: {
      tags: ['reversals'], params: reversalParams, body: rollbackBody, headers: idempotencyHeaderSchema,
      summary: 'Roll back a wrong reversal (R8) of an other-bank transfer the beneficiary received after all: the sender is debited again, the settlement account credited (approver, neither the requester nor the approver of the reversal; admin above the high-value threshold).',
    },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.approveReversals);
    if (principal === null) return reply;
    const { reason, evidence } = request.body;
    return sendResult(reply, await rollBackReversal(deps, principal, request.params.id, { reason, ...(evidence === undefined ? {} : { evidence }) }, request.headers['idempotency-key'] ?? null));
  });
}

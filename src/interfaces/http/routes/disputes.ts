// Disputes (D1) under the seed's paths: open one from a customer report, list them by
// status, priority and assignee, and work one through its lifecycle.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { disputePriorities, disputeStatuses } from '../../../domain/disputes/dispute-lifecycle.ts';
import { openDispute } from '../../../app/disputes/open-dispute.ts';
import { listDisputes } from '../../../app/disputes/read-disputes.ts';
import { updateDispute } from '../../../app/disputes/update-dispute.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendError, sendReply, sendResult } from '../send.ts';
import { idempotencyHeaderSchema, pageQuerySchema, reasonSchema } from '../schemas.ts';

const personSchema = z.string().min(1).max(128);
const openBody = z.strictObject({
  failed_transaction_id: z.string().min(1).max(80).optional(),
  transfer_reference: z.string().min(1).max(64).optional(),
  customer_id: personSchema.describe('The reporting customer.'),
  reason: reasonSchema,
  priority: z.enum(disputePriorities).default('medium'),
});
const updateBody = z.strictObject({
  status: z.enum(disputeStatuses).optional(),
  assigned_to: personSchema.optional(),
  resolution: reasonSchema.optional(),
});
const disputeParams = z.strictObject({ id: z.string().max(40) });
const listQuery = pageQuerySchema.extend({
  status: z.enum(disputeStatuses).optional(),
  priority: z.enum(disputePriorities).optional(),
  assignee: personSchema.optional(),
});

export function registerDisputeRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post('/api/v1/transactions/reversals/disputes', {
    schema: { tags: ['disputes'], summary: 'Open a dispute from a customer report; its deadline comes from the tenant timeline rules.', body: openBody, headers: idempotencyHeaderSchema },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.workDisputes);
    if (principal === null) return reply;
    const { failed_transaction_id: failedTransactionId, transfer_reference: transferReference, customer_id: customerId, reason, priority } = request.body;
    if ((failedTransactionId === undefined) === (transferReference === undefined)) {
      return sendError(reply, 'invalid_request', 'failed_transaction_id', 'give exactly one of failed_transaction_id and transfer_reference');
    }
    return sendResult(reply, await openDispute(deps, principal, {
      customerId, reason, priority,
      ...(failedTransactionId === undefined ? {} : { failedTransactionId }), ...(transferReference === undefined ? {} : { transferReference }),
    }, request.headers['idempotency-key'] ?? null));
  });
  typed.get('/api/v1/transactions/reversals/disputes', {
    schema: { tags: ['disputes'], summary: 'List disputes (filters: status, priority, assignee; cursor pages).', querystring: listQuery },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readLedger);
    if (principal === null) return reply;
    const query = request.query;
    return sendReply(reply, await listDisputes(deps, principal, {
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.priority === undefined ? {} : { priority: query.priority }),
      ...(query.assignee === undefined ? {} : { assignedTo: query.assignee }),
    }));
  });
  typed.patch('/api/v1/transactions/reversals/disputes/:id', {
    schema: { tags: ['disputes'], summary: 'Move a dispute along open → investigating → resolved | escalated, assign it, record its resolution.', params: disputeParams, body: updateBody },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.workDisputes);
    if (principal === null) return reply;
    const { status, assigned_to: assignedTo, resolution } = request.body;
    if (status === undefined && assignedTo === undefined && resolution === undefined) {
      return sendError(reply, 'invalid_request', 'status', 'give at least one of status, assigned_to and resolution');
    }
    return sendResult(reply, await updateDispute(deps, principal, request.params.id, {
      ...(status === undefined ? {} : { status }), ...(assignedTo === undefined ? {} : { assignedTo }), ...(resolution === undefined ? {} : { resolution }),
    }));
  });
}

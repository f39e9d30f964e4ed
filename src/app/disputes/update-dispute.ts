// Working a dispute (D1): move it along its lifecycle, assign it, record the resolution.
// Each change is version-checked and audited with what changed; an illegal move is
// refused by name, and resolving needs a resolution.
import { canMoveDispute, type DisputeStatus } from '../../domain/disputes/dispute-lifecycle.ts';
import { refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import { decideAndCommit, type Decision } from '../shared/commit.ts';
import type { Reply } from '../shared/reply.ts';
import { disputeFromRecord, disputeKind, disputeWrite, type Dispute } from './dispute-record.ts';
import { disputeView } from './dispute-view.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export type UpdateDisputeInput = { readonly status?: DisputeStatus; readonly assignedTo?: string; readonly resolution?: string };
export type UpdateDisputeCode = 'dispute_not_found' | 'dispute_transition_invalid' | 'dispute_resolved' | 'invalid_request' | 'conflict' | 'insufficient_funds';

export function updateDispute(deps: Dependencies, principal: TenantPrincipal, id: string, input: UpdateDisputeInput): Promise<Result<Reply, UpdateDisputeCode>> {
  return decideAndCommit(deps.store, () => decideUpdate(deps, principal, id, input));
}

function changed(dispute: Dispute, input: UpdateDisputeInput): Result<Dispute, 'dispute_transition_invalid' | 'dispute_resolved' | 'invalid_request'> {
  if (dispute.status === 'resolved') return refuse('dispute_resolved', 'id', 'a resolved dispute is closed');
  if (input.status !== undefined && input.status !== dispute.status && !canMoveDispute(dispute.status, input.status)) {
    return refuse('dispute_transition_invalid', 'status', `a dispute that is ${dispute.status} cannot become ${input.status}`);
  }
  const status = input.status ?? dispute.status;
  const resolution = input.resolution ?? dispute.resolution;
  if (status === 'resolved' && resolution === null) return refuse('invalid_request', 'resolution', 'resolving a dispute needs a resolution');
  return {
    ok: true,
    value: { ...dispute, status, resolution, assignedTo: input.assignedTo ?? dispute.assignedTo, version: dispute.version + 1 },
  };
}

async function decideUpdate(deps: Dependencies, principal: TenantPrincipal, id: string, input: UpdateDisputeInput): Promise<Decision<Reply, UpdateDisputeCode>> {
  const record = await deps.store.getRecord(principal.tenantId, disputeKind, id);
  if (record === null) return refuse('dispute_not_found', 'id');
  const dispute = disputeFromRecord(record);
  const next = changed(dispute, input);
  if (!next.ok) return next;
  const at = deps.clock.now();
  const updated: Dispute = { ...next.value, updatedAt: at };
  const initiator = initiatorOf(principal);
  const audit = await buildAuditEntry(deps, principal.tenantId, at, {
    stream: `txn:${dispute.transferReference}`, action: 'dispute.updated', initiator, transactionId: dispute.transferReference, status: updated.status,
    ...(input.resolution === undefined ? {} : { reason: input.resolution }),
    details: {
      query: { dispute_reference: id, status: input.status ?? null, assigned_to: input.assignedTo ?? null, resolution: input.resolution ?? null },
      response: { from_status: dispute.status, to_status: updated.status, assigned_to: updated.assignedTo },
    },
  });
  return {
    ok: true, value: { statusCode: 200, body: { message: 'Dispute updated.', ...disputeView(updated) } },
    changeset: { tenantId: principal.tenantId, at, records: [disputeWrite(updated, dispute.version)], audit: [audit] },
  };
}

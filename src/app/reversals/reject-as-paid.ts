// Rejecting a reversal because the beneficiary was paid (V3, V4): operations have evidence
// (the settlement bank confirmed the credit) that an escalated transfer arrived while the
// switch's status query still cannot say. The decider passes the same maker-checker rules
// as an approver; one last status query comes first — a definite failure refuses and
// changes nothing — and then the transfer is settled as a success exactly as a late
// success is (hold posted, TRANSFER-SUCCESS, failed transaction resolved, ledger entry),
// with the reversal REJECTED `resolution: "paid"` and the audit record, in ONE commit.
// The versions of the transfer and the reversal, and a hold resolved only once, make a
// racing approval or status-query job lose: one outcome, reversed or paid, never both.
import { decidePaidResolution, type PaidResolutionRefusal } from '../../domain/reversals/reversal-rules.ts';
import { refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { initiatorOf } from '../access/principal.ts';
import type { Answer } from '../payments/ask-processor.ts';
import { decideAndCommit, type Decision } from '../shared/commit.ts';
import { completedKeyWrite, completedReplay, type IdempotencyRequest } from '../shared/idempotency.ts';
import { requestHash } from '../shared/request-hash.ts';
import { storeReply, type StoredReply } from '../shared/reply.ts';
import { queryTransfer } from '../transfers/ask-rail.ts';
import { readTransfer, settleAsSuccess, transferLockKey, transferLocks } from '../transfers/settle-transfer.ts';
import type { MoneyTransfer } from '../transfers/transfer-record.ts';
import { approvalAllowed, pendingReversal, type DecideReversalCode, type TenantPrincipal } from './decide-reversal.ts';
import type { Reversal } from './reversal-record.ts';
import { reversalView } from './reversal-view.ts';

export type PaidRejection = { readonly reason: string; readonly evidence?: string };
export type RejectAsPaidCode = DecideReversalCode | PaidResolutionRefusal;
type LastQuery = 'success' | 'unknown';
type PaidCase = { readonly reversal: Reversal; readonly transfer: MoneyTransfer };

export async function rejectReversalAsPaid(deps: Dependencies, principal: TenantPrincipal, id: string, input: PaidRejection, idempotencyKey: string | null): Promise<Result<StoredReply, RejectAsPaidCode>> {
  const key = idempotencyKey === null ? null : {
    key: idempotencyKey, requestHash: requestHash('reversal-reject', { id, reason: input.reason, resolution: 'paid', evidence: input.evidence ?? null }),
  };
  const replay = await completedReplay(deps.store, principal.tenantId, key);
  if (replay !== null) return replay.ok ? { ok: true, value: replay.value } : replay;
  // Who may decide, and whether the outcome is uncertain at all, is settled before the bank is asked.
  const checked = await paidCase(deps, principal, id);
  if (!checked.ok) return checked;
  // Status query first (V3): the switch's own definite answer outranks anyone's evidence.
  const answer = await queryTransfer(deps, checked.value.transfer);
  const heard = lastQuery(answer);
  if (!heard.ok) return heard;
  return transferLocks.run(transferLockKey(checked.value.transfer), () =>
    decideAndCommit(deps.store, () => decidePaid(deps, principal, id, input, answer, heard.value, key)));
}

async function paidCase(deps: Dependencies, principal: TenantPrincipal, id: string): Promise<Result<PaidCase, RejectAsPaidCode>> {
  const found = await pendingReversal(deps, principal, id);
  if (!found.ok) return found;
  const reversal = found.value;
  const allowed = await approvalAllowed(deps, principal, reversal);
  if (!allowed.ok) return allowed;
  const transfer = await readTransfer(deps, { tenantId: principal.tenantId, reference: reversal.transferReference });
  if (transfer.status === 'TRANSFER-SUCCESS') return refuse('transfer_succeeded', 'id', 'the transfer is already settled as a success');
  if (transfer.reversalId !== reversal.id) return refuse('reversal_already_decided', 'id', `the transfer's reversal is ${transfer.reversalId ?? 'none'}`);
  // Reversed by this very reversal: it was approved after it was read (another process,
  // between the two reads), not failed by the switch.
  if (transfer.status === 'TRANSFER-REVERSED') return refuse('reversal_already_decided', 'id', 'the transfer was reversed by this reversal meanwhile');
  const held = transfer.status === 'TRANSFER-ESCALATED' || transfer.status === 'TRANSFER-PENDING';
  const eligible = decidePaidResolution({ held, failureType: reversal.failureType });
  return eligible.ok ? { ok: true, value: { reversal, transfer } } : eligible;
}

/** Success or still unknown lets the person's evidence decide; a definite failure, or a switch with no record of the transfer, does not. */
function lastQuery(answer: Answer): Result<LastQuery, PaidResolutionRefusal> {
  const { outcome } = answer;
  if (outcome.kind === 'approved') return { ok: true, value: 'success' };
  if (outcome.kind === 'declined' || (outcome.kind === 'error' && !outcome.retryable)) {
    return refuse('transfer_definitely_failed', 'resolution', `a last status query says the transfer failed (${outcome.code}): approve the reversal instead`);
  }
  if (outcome.code === 'not_found') return refuse('transfer_definitely_failed', 'resolution', 'the switch has no record of the transfer: approve the reversal instead');
  return { ok: true, value: 'unknown' };
}

async function decidePaid(
  deps: Dependencies, principal: TenantPrincipal, id: string, input: PaidRejection, answer: Answer, heard: LastQuery, key: IdempotencyRequest | null,
): Promise<Decision<StoredReply, RejectAsPaidCode>> {
  const replay = await completedReplay(deps.store, principal.tenantId, key);
  if (replay !== null) return replay;
  const checked = await paidCase(deps, principal, id);
  if (!checked.ok) return checked;
  const { reversal, transfer } = checked.value;
  const decider = initiatorOf(principal);
  const at = deps.clock.now();
  const evidence = input.evidence === undefined ? {} : { evidence: input.evidence };
  const closed: Reversal = { ...reversal, status: 'REJECTED', decidedBy: decider, decisionReason: input.reason, resolution: 'paid', ...evidence, updatedAt: at };
  const settled = await settleAsSuccess(deps, transfer, answer, {
    initiator: decider, countsAsRequery: true,
    confirmation: {
      action: 'transfer.confirmed_paid', reason: input.reason, reversalId: id, resolvedOutcomeCode: heard === 'success' ? 'approved' : 'confirmed_paid',
      auditDetails: {
        query: { reversal_id: id, resolution: 'paid', evidence: input.evidence ?? null, requester: reversal.requester, decider },
        response: { status_query: heard, code: answer.outcome.code },
      },
      ledgerDetails: { resolution: 'paid', reversal_id: id, status_query: heard },
      closeReversal: (waiting) => ({ ...closed, version: waiting.version }),
    },
  });
  if (!settled.ok || settled.changeset === null) return refuse('conflict', 'id', 'the transfer could not be settled; try again');
  const reply = {
    statusCode: 200,
    body: {
      message: 'Reversal rejected: the beneficiary was paid; the transfer is settled as a success.', status: 'rejected', resolution: 'paid',
      status_query: heard, transfer_status: settled.value.status, reversal: reversalView(closed),
    },
  };
  const changeset = settled.changeset;
  return {
    ok: true, value: storeReply(reply),
    changeset: { ...changeset, records: [...(changeset.records ?? []), ...(key === null ? [] : [completedKeyWrite(key, reply)])] },
  };
}

// Rolling back a wrong refund (R8): an approver, with a reason, undoes a successful
// refund's journal lines by compensating transfers that point at them. Nothing is
// rewritten: the refund's entries stay, a REFUND-ROLLED-BACK entry follows them, the
// payment's refundable amount grows back, and the audit trail shows both.
import type { TransferId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import { formatAmount } from '../../domain/money/money.ts';
import { refuse, type Result } from '../../domain/result.ts';
import { compensate } from '../../domain/refunds/refund-journal.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import { decideAndCommit, type Decision } from '../shared/commit.ts';
import { completedKeyWrite, completedReplay, type IdempotencyRequest } from '../shared/idempotency.ts';
import { requestHash } from '../shared/request-hash.ts';
import { storeReply, type StoredReply } from '../shared/reply.ts';
import { paymentFromRecord, paymentKind, paymentWrite, type Payment } from '../payments/payment-record.ts';
import { holdIds, refundFromRecord, refundKind, refundWrite, type Refund } from './refund-record.ts';
import { releasedSettlement } from './refund-lines.ts';
import { refundView } from './refund-view.ts';
import { paymentLockKey, paymentLocks } from './settle-refund.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;
export type RollbackCode = 'refund_not_found' | 'refund_not_rollbackable' | 'idempotency_key_reused' | 'conflict';

export async function rollBackRefund(
  deps: Dependencies,
  principal: TenantPrincipal,
  input: { readonly refundId: string; readonly reason: string },
  idempotencyKey: string | null,
): Promise<Result<StoredReply, RollbackCode | 'conflict' | 'insufficient_funds'>> {
  const key = idempotencyKey === null ? null : { key: idempotencyKey, requestHash: requestHash('refund-rollback', input) };
  const found = await deps.store.getRecord(principal.tenantId, refundKind, input.refundId);
  if (found === null) return refuse('refund_not_found', 'refund_transaction_id');
  const lockKey = paymentLockKey({ tenantId: principal.tenantId, transactionId: refundFromRecord(found).transactionId });
  return paymentLocks.run(lockKey, () => decideAndCommit(deps.store, () => decideRollback(deps, principal, input, key)));
}

async function decideRollback(
  deps: Dependencies,
  principal: TenantPrincipal,
  input: { readonly refundId: string; readonly reason: string },
  key: IdempotencyRequest | null,
): Promise<Decision<StoredReply, RollbackCode>> {
  const replay = await completedReplay(deps.store, principal.tenantId, key);
  if (replay !== null) return replay;
  const found = await successfulRefund(deps, principal, input.refundId);
  if (!found.ok) return found;
  const refund = found.value;
  const paymentRecord = await deps.store.getRecord(principal.tenantId, paymentKind, refund.transactionId);
  invariant(paymentRecord !== null, `payment ${refund.transactionId} vanished`);
  const payment = paymentFromRecord(paymentRecord);
  if (payment.refundedMinor < refund.amountMinor) {
    // The refund was read before another process rolled it back, the payment after: read
    // the refund again and answer as if it had been rolled back before we looked.
    const again = await successfulRefund(deps, principal, input.refundId);
    return again.ok ? refuse('conflict', 'refund_transaction_id', 'the refund and its payment changed while they were read; try again') : again;
  }
  return rollbackChangeset(deps, principal, input.reason, key, refund, payment);
}

async function successfulRefund(deps: Dependencies, principal: TenantPrincipal, refundId: string): Promise<Result<Refund, 'refund_not_found' | 'refund_not_rollbackable'>> {
  const record = await deps.store.getRecord(principal.tenantId, refundKind, refundId);
  if (record === null) return refuse('refund_not_found', 'refund_transaction_id');
  const refund = refundFromRecord(record);
  if (refund.status !== 'REFUND-SUCCESS') return refuse('refund_not_rollbackable', 'refund_transaction_id', `the refund is ${refund.status}`);
  return { ok: true, value: refund };
}

/** The payment once a refund's amount is refundable again. */
export function paymentAfterRollback(payment: Payment, refund: Refund, at: number): Payment {
  const refundedMinor = payment.refundedMinor - refund.amountMinor;
  invariant(refundedMinor >= 0n, `payment ${payment.transactionId}: rolling back more than was refunded`);
  const nothingLeft = refundedMinor + payment.chargebacksLostMinor >= payment.capturedMinor;
  return {
    ...payment, ...releasedSettlement(payment, refund), version: payment.version + 1, updatedAt: at, refundedMinor,
    feesReturnedMinor: payment.feesReturnedMinor - refund.feeMinor,
    taxesReturnedMinor: payment.taxesReturnedMinor - refund.taxMinor,
    status: nothingLeft ? 'REFUNDED' : refundedMinor > 0n ? 'PARTIALLY-REFUNDED' : 'PAYMENT-SUCCESS',
    ledgerSequence: payment.ledgerSequence + 1,
  };
}

async function compensations(deps: Dependencies, refund: Refund): Promise<ReturnType<typeof compensate>[]> {
  const holds = holdIds(refund.holds);
  const postings = await Promise.all(holds.map((hold) => deps.store.getPendingResolution(refund.tenantId, hold)));
  const base = deps.ids.next('trf');
  return postings.map((posting, index) => {
    invariant(posting !== null && posting.kind === 'post_pending', `refund ${refund.refundId}: hold ${holds[index] ?? '?'} was not posted`);
    return compensate(posting, `${base}.${index + 1}` as TransferId);
  });
}

async function rollbackChangeset(
  deps: Dependencies, principal: TenantPrincipal, reason: string, key: IdempotencyRequest | null, refund: Refund, payment: Payment,
): Promise<Decision<StoredReply, RollbackCode>> {
  const at = deps.clock.now();
  const approver = initiatorOf(principal);
  const transfers = await compensations(deps, refund);
  const rolledBack: Refund = { ...refund, version: refund.version + 1, status: 'REFUND-ROLLED-BACK', ledgerSequence: refund.ledgerSequence + 1, updatedAt: at, rollback: { reason, approver, at } };
  const updated = paymentAfterRollback(payment, refund, at);
  const amount = formatAmount(refund.amountMinor, refund.currency);
  const reply = { statusCode: 200, body: { message: 'Refund rolled back.', status: 'rolled_back', refund_transaction_id: refund.refundId, refund: refundView(rolledBack) } };
  const audit = await buildAuditEntry(deps, refund.tenantId, at, {
    stream: `txn:${refund.transactionId}`, action: 'refund.rolled_back', initiator: approver, transactionId: refund.transactionId, refundId: refund.refundId,
    amount, currency: refund.currency, status: 'REFUND-ROLLED-BACK', reason,
    details: { query: { refund_transaction_id: refund.refundId, reason }, response: { compensating_transfer_ids: transfers.map((transfer) => transfer.id), payment_status: updated.status } },
  });
  return {
    ok: true,
    value: storeReply(reply),
    changeset: {
      tenantId: refund.tenantId, at, transfers,
      ledgerEntries: [
        { transactionId: refund.refundId, sequence: rolledBack.ledgerSequence, status: 'REFUND-ROLLED-BACK', at, transferIds: transfers.map((transfer) => transfer.id), details: { reason, approver, original_transaction_id: refund.transactionId } },
        { transactionId: payment.transactionId, sequence: updated.ledgerSequence, status: updated.status, at, transferIds: [], details: { rolled_back_refund: refund.refundId, amount } },
      ],
      records: [refundWrite(rolledBack, refund.version), paymentWrite(updated, payment.version), ...(key === null ? [] : [completedKeyWrite(key, reply)])],
      audit: [audit],
    },
  };
}

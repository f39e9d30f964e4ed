// Requesting a refund (R1–R6): read every ledger entry of the payment (an audited read,
// committed with the decision), decide eligibility and the split of fees and taxes, hold
// the money (REFUND-PENDING) in one commit, then ask the processor with an idempotency
// key derived from the refund id and settle what it answers. Work on one payment is
// queued in this process; across processes the payment's version check refuses a stale
// decision, so concurrent refunds can never together exceed what was captured.
import { invariant } from '../../domain/invariant.ts';
import { parseAmount, parseCurrency, formatAmount } from '../../domain/money/money.ts';
import { ok, refuse, type Result } from '../../domain/result.ts';
import { decideRefundAmount, type RefundRefusal } from '../../domain/refunds/refund-eligibility.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import { transferView } from '../accounts/account-view.ts';
import { decideAndCommit, type Decision } from '../shared/commit.ts';
import { lookUpIdempotency, startedKeyWrite, type IdempotencyRequest } from '../shared/idempotency.ts';
import { requestHash } from '../shared/request-hash.ts';
import type { StoredReply } from '../shared/reply.ts';
import { paymentFromRecord, paymentKind, paymentWrite, type Payment } from '../payments/payment-record.ts';
import { refundPolicyOf, type TenantRefundPolicy } from './refund-policy.ts';
import { movedOutMinor, paymentHolding, refundedUnderPolicies, refundLines } from './refund-lines.ts';
import { refundView } from './refund-view.ts';
import type { JsonObject } from '../ports/store.ts';
import { askForRefund, paymentLockKey, paymentLocks } from './settle-refund.ts';
import { refundFromRecord, refundIdFor, refundKind, refundWrite, type Refund } from './refund-record.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export const refundsPerPaymentMax = 50;

export type RequestRefundInput = {
  readonly transactionId: string;
  /** Omitted: the remaining refundable amount. */
  readonly amount?: unknown;
  readonly currency?: unknown;
  readonly reason: string;
};

export type RequestRefundCode = RefundRefusal | 'payment_not_found' | 'invalid_amount' | 'invalid_currency' | 'too_many_refunds'
  | 'idempotency_key_reused' | 'request_in_progress' | 'conflict' | 'insufficient_funds' | 'refund_too_small';

export async function requestRefund(
  deps: Dependencies,
  principal: TenantPrincipal,
  input: RequestRefundInput,
  idempotency: IdempotencyRequest | null,
): Promise<Result<StoredReply, RequestRefundCode>> {
  const key = idempotency === null ? null : { key: idempotency.key, requestHash: requestHash('refund', input) };
  const started = await paymentLocks.run(paymentLockKey({ tenantId: principal.tenantId, transactionId: input.transactionId }), () =>
    decideAndCommit(deps.store, () => decideRefund(deps, principal, input, key)));
  if (!started.ok) return started;
  if (started.value.kind === 'replay') return ok(started.value.reply);
  // A new refund, or one whose first request died before answering (a retry with the
  // same key resumes it: the processor sees the same refund key, so it pays once; a
  // processor that cannot recognize a repeat is asked for the refund's status instead).
  const settled = await askForRefund(deps, started.value.refund, started.value.payment, {
    countsAsRequery: false, initiator: initiatorOf(principal), resumed: started.value.kind === 'resumed',
  });
  if (!settled.ok) return settled;
  const reply = settled.value.firstReply;
  invariant(reply !== undefined, 'a settled refund request has its first reply');
  return ok({ statusCode: reply.statusCode, bodyText: reply.bodyText, replayed: started.value.kind === 'resumed' });
}

type Started = { kind: 'replay'; reply: StoredReply } | { kind: 'started' | 'resumed'; refund: Refund; payment: Payment };

async function resumeOrWait(deps: Dependencies, principal: TenantPrincipal, resource: unknown): Promise<Decision<Started, RequestRefundCode>> {
  const refundRecord = typeof resource === 'string' && resource.startsWith('refund:')
    ? await deps.store.getRecord(principal.tenantId, refundKind, resource.slice('refund:'.length))
    : null;
  if (refundRecord === null) return refuse('request_in_progress', undefined, 'the first request with this key is still running');
  const refund = refundFromRecord(refundRecord);
  if (refund.firstReply !== undefined) {
    return { ok: true, changeset: null, value: { kind: 'replay', reply: { statusCode: refund.firstReply.statusCode, bodyText: refund.firstReply.bodyText, replayed: true } } };
  }
  const paymentRecord = await deps.store.getRecord(principal.tenantId, paymentKind, refund.transactionId);
  invariant(paymentRecord !== null, `payment ${refund.transactionId} vanished`);
  return { ok: true, changeset: null, value: { kind: 'resumed', refund, payment: paymentFromRecord(paymentRecord) } };
}

async function replayOf(deps: Dependencies, principal: TenantPrincipal, key: IdempotencyRequest | null): Promise<Decision<Started, RequestRefundCode> | null> {
  if (key === null) return null;
  const known = await lookUpIdempotency(deps.store, principal.tenantId, key);
  if (known.state === 'reused') return refuse('idempotency_key_reused', undefined, 'this Idempotency-Key was used for another request');
  if (known.state === 'done') return { ok: true, changeset: null, value: { kind: 'replay', reply: known.reply } };
  if (known.state === 'in_progress') return resumeOrWait(deps, principal, known.record.body['resource']);
  return null;
}

function parseRequestedAmount(input: RequestRefundInput, payment: Payment): Result<{ amountMinor: bigint | null; currency: string | null }, 'invalid_amount' | 'invalid_currency'> {
  let currency: string | null = null;
  if (input.currency !== undefined) {
    const parsed = parseCurrency(input.currency);
    if (!parsed.ok) return parsed;
    currency = parsed.value;
  }
  if (input.amount === undefined) return ok({ amountMinor: null, currency });
  const amount = parseAmount(input.amount, payment.currency);
  return amount.ok ? ok({ amountMinor: amount.value, currency }) : amount;
}

async function decideRefund(
  deps: Dependencies,
  principal: TenantPrincipal,
  input: RequestRefundInput,
  key: IdempotencyRequest | null,
): Promise<Decision<Started, RequestRefundCode>> {
  const replay = await replayOf(deps, principal, key);
  if (replay !== null) return replay;
  const record = await deps.store.getRecord(principal.tenantId, paymentKind, input.transactionId);
  if (record === null) return refuse('payment_not_found', 'transaction_id');
  const payment = paymentFromRecord(record);
  const requested = parseRequestedAmount(input, payment);
  if (!requested.ok) return requested;
  const policy = await refundPolicyOf(deps, principal.tenantId);
  const at = deps.clock.now();
  const decided = decideRefundAmount({
    status: payment.status,
    currency: payment.currency,
    capturedAt: payment.capturedAt,
    capturedMinor: payment.capturedMinor,
    unavailableMinor: movedOutMinor(payment),
    openChargebacks: payment.openChargebacks,
  }, { ...requested.value, now: at, windowDays: policy.windowDays });
  if (!decided.ok) return decided;
  if (payment.refundIds.length >= refundsPerPaymentMax) return refuse('too_many_refunds', 'transaction_id', `at most ${refundsPerPaymentMax} refunds per payment`);
  return startRefund(deps, principal, input, key, payment, decided.value, policy, at);
}

function settlementDetails(refund: Refund): JsonObject {
  return refund.settlement === undefined ? {} : {
    settlement: { currency: refund.settlement.currency, amount: formatAmount(refund.settlement.amountMinor, refund.settlement.currency), rate: refund.settlement.rate },
  };
}

async function startRefund(
  deps: Dependencies,
  principal: TenantPrincipal,
  input: RequestRefundInput,
  key: IdempotencyRequest | null,
  payment: Payment,
  amountMinor: bigint,
  policy: TenantRefundPolicy,
  at: number,
): Promise<Decision<Started, RequestRefundCode>> {
  const tenantId = principal.tenantId;
  // R1: every ledger entry of the transaction — payment, fees, taxes, earlier refunds.
  // Earlier refunds keep their entries under their own transaction ids (<id>-REFUND[-n]).
  const [entries, transfers, refundedBefore, refundEntries] = await Promise.all([
    deps.store.listLedgerEntries(tenantId, payment.transactionId),
    deps.store.listTransactionTransfers(tenantId, payment.transactionId),
    refundedUnderPolicies(deps, payment),
    Promise.all(payment.refundIds.map(async (id) => ({ id, entries: await deps.store.listLedgerEntries(tenantId, id) }))),
  ]);
  const refundId = refundIdFor(payment.transactionId, payment.refundIds.length + 1);
  const lines = refundLines(deps, payment, refundId, amountMinor, policy, refundedBefore);
  if (!lines.ok) return lines;
  const { split, holds, transfers: holdTransfers } = lines.value;
  const initiator = initiatorOf(principal);
  const refund: Refund = {
    tenantId, refundId, transactionId: payment.transactionId, version: 1, status: 'REFUND-PENDING',
    amountMinor, currency: payment.currency, taxMinor: split.taxMinor, feeMinor: split.feeMinor, policy: { fees: policy.fees, taxes: policy.taxes },
    ...(lines.value.settlement === undefined ? {} : { settlement: lines.value.settlement }),
    reason: input.reason, initiator, holds,
    processor: { outcome: 'none', code: 'not_sent', message: 'Not yet answered by the processor.' },
    requeryAttempts: 0, ledgerSequence: 1, requestHash: key?.requestHash ?? requestHash('refund', input), createdAt: at, updatedAt: at,
  };
  const updated = paymentHolding(payment, refund, at);
  const amount = formatAmount(amountMinor, payment.currency);
  const audit = await Promise.all([
    buildAuditEntry(deps, tenantId, at, {
      stream: `txn:${payment.transactionId}`, action: 'ledger.read', initiator, transactionId: payment.transactionId, refundId, status: 'READ',
      reason: 'entries read to decide a refund',
      details: {
        query: { transaction_id: payment.transactionId, purpose: 'refund' },
        response: {
          entries: entries.map((entry) => ({ sequence: entry.sequence, status: entry.status })),
          refund_entries: refundEntries.map((earlier) => ({ refund_transaction_id: earlier.id, entries: earlier.entries.map((entry) => ({ sequence: entry.sequence, status: entry.status })) })),
          transfers: transfers.map((transfer) => transferView(transfer)),
        },
      },
    }),
    buildAuditEntry(deps, tenantId, at, {
      stream: `txn:${payment.transactionId}`, action: 'refund.requested', initiator, transactionId: payment.transactionId, refundId,
      amount, currency: payment.currency, status: 'REFUND-PENDING', reason: input.reason,
      details: { query: { amount: typeof input.amount === 'string' ? input.amount : null, reason: input.reason }, response: refundView(refund) },
    }),
  ]);
  return {
    ok: true,
    value: { kind: 'started', refund, payment: updated },
    changeset: {
      tenantId, at,
      transfers: holdTransfers,
      records: [refundWrite(refund, 0), paymentWrite(updated, payment.version), ...(key === null ? [] : [startedKeyWrite(key, `refund:${refundId}`)])],
      ledgerEntries: [{ transactionId: refundId, sequence: 1, status: 'REFUND-PENDING', at, transferIds: holdTransfers.map((transfer) => transfer.id), details: { original_transaction_id: payment.transactionId, amount, ...settlementDetails(refund) } }],
      audit,
    },
  };
}

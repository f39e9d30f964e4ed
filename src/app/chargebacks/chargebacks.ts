// Chargebacks (R9): recorded from the processor's notice, they block refunds of the
// payment while open (the amount is at stake twice otherwise). Won: nothing moves and
// refunds are possible again. Lost: the network keeps the amount, so the merchant gives
// it back towards clearing and it no longer counts as refundable.
import type { TransferId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import { formatAmount, parseAmount } from '../../domain/money/money.ts';
import { ok, refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { recordRead } from '../audit/audited-read.ts';
import { recordsUnder } from '../shared/visit-indexed.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import type { Changeset } from '../ports/store.ts';
import { decideAndCommit, type Decision } from '../shared/commit.ts';
import { completedKeyWrite, completedReplay, type IdempotencyRequest } from '../shared/idempotency.ts';
import { requestHash } from '../shared/request-hash.ts';
import { storeReply, type Reply, type StoredReply } from '../shared/reply.ts';
import { paymentFromRecord, paymentKind, paymentWrite, type Payment } from '../payments/payment-record.ts';
import { fxSystemAccounts, paymentSystemAccounts } from '../payments/system-accounts.ts';
import { settlementPart } from '../payments/fx-settlement.ts';
import { movedOutMinor } from '../refunds/refund-lines.ts';
import type { TransferWrite } from '../../domain/journal/transfers.ts';
import type { AccountId } from '../../domain/ids.ts';
import type { CurrencyCode } from '../../domain/money/currencies.ts';
import { paymentLockKey, paymentLocks } from '../refunds/settle-refund.ts';
import { chargebackFromRecord, chargebackKind, chargebackView, chargebackWrite, type Chargeback } from './chargeback-record.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;
type Answer<C extends string> = Promise<Result<StoredReply, C | 'idempotency_key_reused' | 'conflict' | 'insufficient_funds'>>;

export type RecordChargebackInput = { readonly transactionId: string; readonly amount: unknown; readonly reasonCode: string };
export type RecordChargebackCode = 'payment_not_found' | 'payment_not_settled' | 'payment_failed' | 'invalid_amount' | 'chargeback_exceeds_captured';

function withKey(changeset: Changeset, key: IdempotencyRequest | null, reply: Reply): Changeset {
  return key === null ? changeset : { ...changeset, records: [...(changeset.records ?? []), completedKeyWrite(key, reply)] };
}

export async function recordChargeback(deps: Dependencies, principal: TenantPrincipal, input: RecordChargebackInput, idempotencyKey: string | null): Answer<RecordChargebackCode> {
  const key = idempotencyKey === null ? null : { key: idempotencyKey, requestHash: requestHash('chargeback', input) };
  return paymentLocks.run(paymentLockKey({ tenantId: principal.tenantId, transactionId: input.transactionId }), () =>
    decideAndCommit(deps.store, async (): Promise<Decision<StoredReply, RecordChargebackCode | 'idempotency_key_reused'>> => {
      const replay = await completedReplay(deps.store, principal.tenantId, key);
      if (replay !== null) return replay;
      const record = await deps.store.getRecord(principal.tenantId, paymentKind, input.transactionId);
      if (record === null) return refuse('payment_not_found', 'transaction_id');
      const payment = paymentFromRecord(record);
      if (payment.status === 'PAYMENT-INITIATED' || payment.status === 'PAYMENT-PENDING') return refuse('payment_not_settled', 'transaction_id', 'the payment is still pending at the processor');
      if (payment.status === 'PAYMENT-FAILED') return refuse('payment_failed', 'transaction_id', 'a failed payment cannot be charged back');
      const amount = parseAmount(input.amount, payment.currency);
      if (!amount.ok) return amount;
      const openMinor = await openChargebacksMinor(deps, payment);
      const exposed = payment.capturedMinor - payment.refundedMinor - payment.refundsHeldMinor - payment.chargebacksLostMinor - openMinor;
      if (amount.value > exposed) {
        return refuse('chargeback_exceeds_captured', 'amount', `at most ${formatAmount(exposed > 0n ? exposed : 0n, payment.currency)} remains on the payment beyond its refunds and chargebacks`);
      }
      return openChargeback(deps, principal, key, { ...payment, chargebacksOpenMinor: openMinor }, amount.value, input.reasonCode);
    }));
}

/**
 * What the payment's chargebacks still open claim. Each of them may yet be lost, so a new
 * one may only claim what they leave: two open chargebacks of 60 on a payment of 100,
 * both lost, would take 120 from the merchant. Kept on the payment (chargebacksOpenMinor),
 * whose version the decision commits against; for a payment stored before it was kept,
 * summed from its chargebacks (on DynamoDB an index read, which may show one opened a
 * moment ago late — such payments had chargebacks open before the upgrade).
 */
async function openChargebacksMinor(deps: Dependencies, payment: Payment): Promise<bigint> {
  if (payment.chargebacksOpenMinor !== null) return payment.chargebacksOpenMinor;
  let open = 0n;
  for await (const record of recordsUnder(deps.store, payment.tenantId, chargebackKind, `payment:${payment.transactionId}`)) {
    const chargeback = chargebackFromRecord(record);
    if (chargeback.status === 'open') open += chargeback.amountMinor;
  }
  return open;
}

async function openChargeback(deps: Dependencies, principal: TenantPrincipal, key: IdempotencyRequest | null, payment: Payment, amountMinor: bigint, reasonCode: string): Promise<Decision<StoredReply, never>> {
  const at = deps.clock.now();
  const initiator = initiatorOf(principal);
  const chargeback: Chargeback = {
    tenantId: payment.tenantId, chargebackId: deps.ids.next('cbk'), transactionId: payment.transactionId, version: 1, status: 'open',
    amountMinor, currency: payment.currency, reasonCode, initiator, createdAt: at, updatedAt: at,
  };
  const updated: Payment = {
    ...payment, version: payment.version + 1, updatedAt: at,
    openChargebacks: payment.openChargebacks + 1, chargebacksOpenMinor: (payment.chargebacksOpenMinor ?? 0n) + amountMinor,
  };
  const reply: Reply = { statusCode: 201, body: { message: 'Chargeback recorded; refunds of this payment are blocked until it is resolved.', status: 'open', chargeback: chargebackView(chargeback) } };
  const audit = await buildAuditEntry(deps, payment.tenantId, at, {
    stream: `txn:${payment.transactionId}`, action: 'chargeback.opened', initiator, transactionId: payment.transactionId,
    amount: formatAmount(amountMinor, payment.currency), currency: payment.currency, status: 'open', reason: reasonCode,
    details: { query: { amount: formatAmount(amountMinor, payment.currency), reason_code: reasonCode }, response: chargebackView(chargeback) },
  });
  const changeset: Changeset = { tenantId: payment.tenantId, at, records: [chargebackWrite(chargeback, 0), paymentWrite(updated, payment.version)], audit: [audit] };
  return { ok: true, value: storeReply(reply), changeset: withKey(changeset, key, reply) };
}

export type ResolveChargebackCode = 'chargeback_not_found' | 'chargeback_resolved';

export async function resolveChargeback(
  deps: Dependencies, principal: TenantPrincipal, input: { readonly chargebackId: string; readonly outcome: 'won' | 'lost' }, idempotencyKey: string | null,
): Answer<ResolveChargebackCode> {
  const key = idempotencyKey === null ? null : { key: idempotencyKey, requestHash: requestHash('chargeback-resolve', input) };
  const found = await deps.store.getRecord(principal.tenantId, chargebackKind, input.chargebackId);
  if (found === null) return refuse('chargeback_not_found', 'id');
  const transactionId = chargebackFromRecord(found).transactionId;
  return paymentLocks.run(paymentLockKey({ tenantId: principal.tenantId, transactionId }), () =>
    decideAndCommit(deps.store, async (): Promise<Decision<StoredReply, ResolveChargebackCode | 'idempotency_key_reused'>> => {
      const replay = await completedReplay(deps.store, principal.tenantId, key);
      if (replay !== null) return replay;
      const record = await deps.store.getRecord(principal.tenantId, chargebackKind, input.chargebackId);
      invariant(record !== null, `chargeback ${input.chargebackId} vanished`);
      const chargeback = chargebackFromRecord(record);
      if (chargeback.status === input.outcome) return { ok: true, changeset: null, value: storeReply(resolvedReply(chargeback)) };
      if (chargeback.status !== 'open') return refuse('chargeback_resolved', 'outcome', `the chargeback was already ${chargeback.status}`);
      const paymentRecord = await deps.store.getRecord(principal.tenantId, paymentKind, transactionId);
      invariant(paymentRecord !== null, `payment ${transactionId} vanished`);
      const payment = paymentFromRecord(paymentRecord);
      return closeChargeback(deps, principal, key, chargeback, { ...payment, chargebacksOpenMinor: await openChargebacksMinor(deps, payment) }, input.outcome);
    }));
}

function resolvedReply(chargeback: Chargeback): Reply {
  return { statusCode: 200, body: { message: `Chargeback ${chargeback.status}.`, status: chargeback.status, chargeback: chargebackView(chargeback) } };
}

async function closeChargeback(
  deps: Dependencies, principal: TenantPrincipal, key: IdempotencyRequest | null, chargeback: Chargeback, payment: Payment, outcome: 'won' | 'lost',
): Promise<Decision<StoredReply, never>> {
  const at = deps.clock.now();
  const initiator = initiatorOf(principal);
  const closed: Chargeback = { ...chargeback, version: chargeback.version + 1, status: outcome, resolvedBy: initiator, updatedAt: at };
  const lost = outcome === 'lost' ? lostLines(deps, payment, chargeback) : { transfers: [], settlementMinor: 0n };
  const { transfers } = lost;
  const updated: Payment = {
    ...payment, version: payment.version + 1, updatedAt: at,
    openChargebacks: payment.openChargebacks - 1, chargebacksOpenMinor: stillOpenMinor(payment, chargeback),
    chargebacksLostMinor: payment.chargebacksLostMinor + (outcome === 'lost' ? chargeback.amountMinor : 0n),
    ...(payment.settlement === undefined ? {} : { settlement: { ...payment.settlement, movedMinor: payment.settlement.movedMinor + lost.settlementMinor } }),
  };
  const reply = resolvedReply(closed);
  const audit = await buildAuditEntry(deps, payment.tenantId, at, {
    stream: `txn:${payment.transactionId}`, action: `chargeback.${outcome}`, initiator, transactionId: payment.transactionId,
    amount: formatAmount(chargeback.amountMinor, payment.currency), currency: payment.currency, status: outcome, reason: chargeback.reasonCode,
    details: { query: { chargeback_id: chargeback.chargebackId, outcome }, response: { ...chargebackView(closed), transfer_ids: transfers.map((transfer) => transfer.id) } },
  });
  const changeset: Changeset = { tenantId: payment.tenantId, at, transfers, records: [chargebackWrite(closed, chargeback.version), paymentWrite(updated, payment.version)], audit: [audit] };
  return { ok: true, value: storeReply(reply), changeset: withKey(changeset, key, reply) };
}

/** What the other open chargebacks claim once this one closes (never below 0, should a summed list have missed it). */
function stillOpenMinor(payment: Payment, chargeback: Chargeback): bigint {
  const left = (payment.chargebacksOpenMinor ?? 0n) - chargeback.amountMinor;
  return left < 0n ? 0n : left;
}

/**
 * A lost chargeback: the merchant gives the amount back towards clearing. For a payment
 * settled in another currency (R7) it leaves the merchant in the settlement currency,
 * converted cumulatively at the payment's rate, and reaches clearing through the FX positions.
 */
function lostLines(deps: Dependencies, payment: Payment, chargeback: Chargeback): { transfers: TransferWrite[]; settlementMinor: bigint } {
  const clearing = paymentSystemAccounts(payment.tenantId, payment.currency, payment.processorId).clearing.id;
  const base = deps.ids.next('trf');
  const line = (index: number, debit: AccountId, credit: AccountId, amountMinor: bigint, currency: CurrencyCode): TransferWrite => ({
    id: `${base}.${index}` as TransferId, kind: 'posted', debitAccountId: debit, creditAccountId: credit,
    amountMinor, currency, transactionId: payment.transactionId, code: 'chargeback', description: chargeback.chargebackId,
  });
  const { settlement } = payment;
  if (settlement === undefined) return { transfers: [line(1, payment.merchantAccountId, clearing, chargeback.amountMinor, payment.currency)], settlementMinor: 0n };
  const fx = fxSystemAccounts(payment.tenantId, payment.currency, settlement.currency);
  const settlementMinor = settlementPart(settlement, payment.currency, chargeback.amountMinor, movedOutMinor(payment));
  const transfers = [line(2, fx.fxPayment.id, clearing, chargeback.amountMinor, payment.currency)];
  if (settlementMinor > 0n) transfers.unshift(line(1, payment.merchantAccountId, fx.fxSettlement.id, settlementMinor, settlement.currency));
  return { transfers, settlementMinor };
}

export async function listChargebacks(deps: Dependencies, principal: TenantPrincipal, transactionId: string): Promise<Result<Reply, 'payment_not_found'>> {
  const record = await deps.store.getRecord(principal.tenantId, paymentKind, transactionId);
  if (record === null) return refuse('payment_not_found', 'transaction_id');
  const page = await deps.store.listRecords(principal.tenantId, chargebackKind, { indexKey: `payment:${transactionId}`, limit: 200 });
  const data = page.items.map((item) => chargebackView(chargebackFromRecord(item)));
  // A2: who read the payment's chargebacks, and what they were shown, as for its refunds.
  await recordRead(deps, {
    tenantId: principal.tenantId, initiator: initiatorOf(principal), stream: `txn:${transactionId}`,
    action: 'chargeback.list', transactionId, query: { transaction_id: transactionId }, response: data,
  });
  return ok({ statusCode: 200, body: { message: 'Chargebacks found.', status: paymentFromRecord(record).status, data, next_cursor: page.nextCursor } });
}

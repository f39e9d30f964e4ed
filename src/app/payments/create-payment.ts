// Creating a payment (P1, P2): validate, keep the card only as a SecureToken, commit
// PAYMENT-INITIATED and PAYMENT-PENDING before the processor is asked (so a crash leaves
// a pending payment that the requery job settles), ask the processor with an idempotency
// key derived from the TransactionID, and commit the outcome with its journal lines.
import { timingSafeEqual } from 'node:crypto';
import type { AccountDefinition } from '../../domain/journal/accounts.ts';
import type { AccountId, TenantId } from '../../domain/ids.ts';
import { checkCharges, type PaymentCharge } from '../../domain/payments/payment-journal.ts';
import { amountMinorMax, formatAmount, parseAmount, parseCurrency } from '../../domain/money/money.ts';
import type { CurrencyCode } from '../../domain/money/currencies.ts';
import { ok, refuse, type Result } from '../../domain/result.ts';
import { invariant } from '../../domain/invariant.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import { decideAndCommit, type Decision } from '../shared/commit.ts';
import { lookUpIdempotency, startedKeyWrite, type IdempotencyRequest } from '../shared/idempotency.ts';
import { requestHash } from '../shared/request-hash.ts';
import type { StoredReply } from '../shared/reply.ts';
import type { JsonObject } from '../ports/store.ts';
import { paymentFromRecord, paymentKind, paymentWrite, type Payment } from './payment-record.ts';
import { withFirstReply } from './payment-view.ts';
import { isFinal } from '../../domain/payments/payment-status.ts';
import { fxSystemAccounts, missingAccounts, paymentSystemAccounts } from './system-accounts.ts';
import { newFxSettlement, type FxSettlement } from './fx-settlement.ts';
import { parseFxRate } from '../../domain/money/fx.ts';
import { openCard, processorCard, sealCard, validateCard, type CardInput } from './card-input.ts';
import type { CardDetails } from '../../domain/cards/card.ts';
import { authorizeAndSettle } from './authorize-payment.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export type CreatePaymentInput = {
  readonly transactionId: string;
  readonly amount: unknown;
  readonly currency: unknown;
  readonly processorId: string;
  readonly card: CardInput;
  readonly merchantAccountId?: string;
  readonly customerAccountId?: string;
  readonly fees?: readonly { readonly type: 'fee' | 'tax'; readonly amount: unknown }[];
  readonly metadata?: JsonObject;
  /** R7: the currency the merchant is settled in, when not the payment's, and the rate to it. */
  readonly settlementCurrency?: unknown;
  readonly fxRate?: unknown;
};

export type CreatePaymentCode =
  | 'invalid_amount' | 'invalid_currency' | 'invalid_fees' | 'invalid_fx_rate' | 'invalid_card' | 'card_expired' | 'unknown_processor'
  | 'unknown_account' | 'account_mismatch' | 'duplicate_transaction_id' | 'idempotency_key_reused'
  | 'request_in_progress' | 'conflict' | 'insufficient_funds';

type Parsed = { amountMinor: bigint; currency: CurrencyCode; charges: PaymentCharge[]; settlement?: FxSettlement };
type Checked = Parsed & { card: CardDetails };

function parseSettlement(input: CreatePaymentInput, currency: CurrencyCode, amountMinor: bigint): Result<FxSettlement | undefined, 'invalid_currency' | 'invalid_fx_rate'> {
  if (input.settlementCurrency === undefined) {
    return input.fxRate === undefined ? ok(undefined) : refuse('invalid_fx_rate', 'fx_rate', 'is only allowed with a settlement_currency');
  }
  const settlementCurrency = parseCurrency(input.settlementCurrency, 'settlement_currency');
  if (!settlementCurrency.ok) return settlementCurrency;
  if (settlementCurrency.value === currency) {
    return input.fxRate === undefined ? ok(undefined) : refuse('invalid_fx_rate', 'fx_rate', 'is only allowed when settlement_currency differs from currency');
  }
  if (input.fxRate === undefined) return refuse('invalid_fx_rate', 'fx_rate', `is required to settle ${currency} in ${settlementCurrency.value}`);
  const rate = parseFxRate(input.fxRate);
  if (!rate.ok) return rate;
  return ok(newFxSettlement(amountMinor, currency, settlementCurrency.value, rate.value));
}

function parseMoney(input: CreatePaymentInput): Result<Parsed, 'invalid_amount' | 'invalid_currency' | 'invalid_fees' | 'invalid_fx_rate'> {
  const currency = parseCurrency(input.currency);
  if (!currency.ok) return currency;
  const amount = parseAmount(input.amount, currency.value);
  if (!amount.ok) return amount;
  const charges: PaymentCharge[] = [];
  for (const [index, fee] of (input.fees ?? []).entries()) {
    const parsed = parseAmount(fee.amount, currency.value, { field: `fees.${index}.amount` });
    if (!parsed.ok) return parsed;
    charges.push({ type: fee.type, amountMinor: parsed.value });
  }
  const checked = checkCharges(amount.value, charges);
  if (!checked.ok) return checked;
  const settlement = parseSettlement(input, currency.value, amount.value);
  if (!settlement.ok) return settlement;
  if (settlement.value !== undefined && settlement.value.amountMinor === 0n) return refuse('invalid_fx_rate', 'fx_rate', 'converts the amount to zero');
  // The converted amount is journaled like any amount: above the cap it would overflow the
  // store's 64-bit columns after the processor approved, so it is refused before the card is charged.
  if (settlement.value !== undefined && settlement.value.amountMinor > amountMinorMax) {
    return refuse('invalid_fx_rate', 'fx_rate', `converts the amount to more than ${formatAmount(amountMinorMax, settlement.value.currency)} ${settlement.value.currency}`);
  }
  return ok({ amountMinor: amount.value, currency: currency.value, charges, ...(settlement.value === undefined ? {} : { settlement: settlement.value }) });
}

/** The request as remembered for replays: the card number is reduced to what is shown. */
function hashOf(input: CreatePaymentInput): string {
  const { card, ...rest } = input;
  return requestHash('payment', { ...rest, card: { last4: card.number.slice(-4), exp_month: card.expMonth, exp_year: card.expYear } });
}

export async function createPayment(
  deps: Dependencies,
  principal: TenantPrincipal,
  input: CreatePaymentInput,
  idempotency: IdempotencyRequest | null,
): Promise<Result<StoredReply, CreatePaymentCode>> {
  const initiated = await initiatePayment(deps, principal, input, idempotency);
  if (!initiated.ok) return initiated;
  if (initiated.value.kind === 'replay') return ok(initiated.value.reply);
  const processor = deps.processors.get(input.processorId);
  invariant(processor !== undefined, 'the processor was checked when the payment was initiated');
  const settled = await authorizeAndSettle(deps, initiated.value.payment, processor, processorCard(initiated.value.card), initiatorOf(principal));
  if (!settled.ok) return settled;
  const reply = settled.value.firstReply;
  if (reply === undefined) return refuse('request_in_progress');
  return ok({ statusCode: reply.statusCode, bodyText: reply.bodyText, replayed: false });
}

/**
 * The first half of a payment: validation and the commit of PAYMENT-INITIATED and
 * PAYMENT-PENDING. What happens if the process dies right after it is exactly what the
 * requery job is for.
 */
export async function initiatePayment(
  deps: Dependencies,
  principal: TenantPrincipal,
  input: CreatePaymentInput,
  idempotency: IdempotencyRequest | null,
): Promise<Result<Initiation, CreatePaymentCode>> {
  const money = parseMoney(input);
  if (!money.ok) return money;
  const card = validateCard(input.card, deps.clock.now());
  if (!card.ok) return card;
  if (!deps.processors.has(input.processorId)) return refuse('unknown_processor', 'processor_id', `no processor '${input.processorId.slice(0, 40)}'`);
  const hash = hashOf(input);
  const key = idempotency === null ? null : { key: idempotency.key, requestHash: hash };
  return decideAndCommit(deps.store, () => decideInitiation(deps, principal, input, { ...money.value, card: card.value }, hash, key));
}

export type Initiation = { kind: 'replay'; reply: StoredReply } | { kind: 'initiated'; payment: Payment; card: CardDetails };

async function decideInitiation(
  deps: Dependencies,
  principal: TenantPrincipal,
  input: CreatePaymentInput,
  money: Checked,
  hash: string,
  key: IdempotencyRequest | null,
): Promise<Decision<Initiation, CreatePaymentCode>> {
  const tenantId = principal.tenantId;
  // Read on every attempt: a concurrent request may have taken the key meanwhile.
  if (key !== null) {
    const known = await lookUpIdempotency(deps.store, tenantId, key);
    if (known.state === 'reused') return refuse('idempotency_key_reused', undefined, 'this Idempotency-Key was used for another request');
    if (known.state === 'done') return { ok: true, changeset: null, value: { kind: 'replay', reply: known.reply } };
  }
  const existing = await deps.store.getRecord(tenantId, paymentKind, input.transactionId);
  if (existing !== null) {
    const payment = paymentFromRecord(existing);
    if (payment.requestHash !== hash) {
      return refuse('duplicate_transaction_id', 'transaction_id', 'a different payment already has this transaction_id');
    }
    // The hash keeps only the last four digits and expiry: another card sharing them is
    // another request, told apart by the number sealed in the SecureToken.
    if (!(await sameCardNumber(deps, payment, money.card))) {
      return key === null
        ? refuse('duplicate_transaction_id', 'transaction_id', 'a different payment already has this transaction_id')
        : refuse('idempotency_key_reused', undefined, 'this Idempotency-Key was used for another request');
    }
    if (payment.firstReply !== undefined) return { ok: true, changeset: null, value: { kind: 'replay', reply: { ...payment.firstReply, replayed: true } } };
    if (!isFinal(payment.status)) return refuse('request_in_progress', 'transaction_id', 'the first request for this payment is still running');
    // The first request died before it could answer (its 500 told the client to retry) and
    // the requery job settled the payment: answer what that request would have, and keep it.
    const replied = withFirstReply(payment);
    invariant(replied.firstReply !== undefined, 'a first reply was just built');
    return {
      ok: true,
      value: { kind: 'replay', reply: { ...replied.firstReply, replayed: true } },
      changeset: { tenantId, at: deps.clock.now(), records: [paymentWrite(replied, payment.version)] },
    };
  }
  const accounts = await resolveAccounts(deps, tenantId, input, money);
  if (!accounts.ok) return accounts;
  const at = deps.clock.now();
  const payment = await newPayment(deps, tenantId, input, money, hash, accounts.value.merchant, at);
  const audit = await Promise.all(['payment.initiated', 'payment.pending'].map((action, index) => buildAuditEntry(deps, tenantId, at, {
    stream: `txn:${input.transactionId}`,
    action,
    initiator: initiatorOf(principal),
    transactionId: input.transactionId,
    amount: formatAmount(money.amountMinor, money.currency),
    currency: money.currency,
    status: index === 0 ? 'PAYMENT-INITIATED' : 'PAYMENT-PENDING',
    ...(index === 0 ? { details: { query: requestForAudit(input) } } : {}),
  })));
  return {
    ok: true,
    value: { kind: 'initiated', payment, card: money.card },
    changeset: {
      tenantId,
      at,
      accounts: accounts.value.create,
      records: [paymentWrite(payment, 0), ...(key === null ? [] : [startedKeyWrite(key, `payment:${input.transactionId}`)])],
      ledgerEntries: ['PAYMENT-INITIATED', 'PAYMENT-PENDING'].map((status, index) => ({
        transactionId: input.transactionId, sequence: index + 1, status, at, transferIds: [], details: {},
      })),
      audit,
    },
  };
}

async function sameCardNumber(deps: Dependencies, payment: Payment, card: CardDetails): Promise<boolean> {
  const stored = new TextEncoder().encode((await openCard(deps, payment)).number);
  const given = new TextEncoder().encode(card.number.revealDigits());
  return stored.length === given.length && timingSafeEqual(stored, given);
}

function requestForAudit(input: CreatePaymentInput): JsonObject {
  return {
    transaction_id: input.transactionId,
    amount: typeof input.amount === 'string' ? input.amount : null,
    currency: typeof input.currency === 'string' ? input.currency : null,
    processor_id: input.processorId,
    card: { last4: input.card.number.slice(-4) },
    merchant_account_id: input.merchantAccountId ?? null,
    customer_account_id: input.customerAccountId ?? null,
    fees: (input.fees ?? []).map((fee) => ({ type: fee.type, amount: typeof fee.amount === 'string' ? fee.amount : null })),
    settlement_currency: typeof input.settlementCurrency === 'string' ? input.settlementCurrency : null,
    fx_rate: typeof input.fxRate === 'string' ? input.fxRate : null,
  };
}

async function newPayment(
  deps: Dependencies, tenantId: TenantId, input: CreatePaymentInput, money: Checked, hash: string, merchant: AccountId, at: number,
): Promise<Payment> {
  const sealed = await sealCard(deps, tenantId, input.transactionId, money.card);
  return {
    tenantId,
    transactionId: input.transactionId,
    version: 1,
    status: 'PAYMENT-PENDING',
    amountMinor: money.amountMinor,
    currency: money.currency,
    processorId: input.processorId,
    card: sealed.card,
    secureToken: sealed.secureToken,
    charges: money.charges,
    merchantAccountId: merchant,
    ...(input.customerAccountId === undefined ? {} : { customerAccountId: input.customerAccountId as AccountId }),
    metadata: input.metadata ?? {},
    requestHash: hash,
    processor: { outcome: 'none', code: 'not_sent', message: 'Not yet answered by the processor.' },
    requeryAttempts: 0,
    escalated: false,
    ledgerSequence: 2,
    capturedMinor: 0n,
    capturedAt: null,
    refundedMinor: 0n,
    refundsHeldMinor: 0n,
    feesReturnedMinor: 0n,
    taxesReturnedMinor: 0n,
    refundIds: [],
    openChargebacks: 0,
    chargebacksOpenMinor: 0n,
    chargebacksLostMinor: 0n,
    ...(money.settlement === undefined ? {} : { settlement: money.settlement }),
    createdAt: at,
    updatedAt: at,
  };
}

/** The merchant's side (merchant, fee revenue, tax payable) is in the settlement currency (R7). */
async function resolveAccounts(
  deps: Dependencies, tenantId: TenantId, input: CreatePaymentInput, money: Parsed,
): Promise<Result<{ merchant: AccountId; create: AccountDefinition[] }, 'unknown_account' | 'account_mismatch'>> {
  const currency = money.settlement?.currency ?? money.currency;
  if (money.settlement !== undefined && input.customerAccountId !== undefined) {
    return refuse('account_mismatch', 'customer_account_id', 'a payment settled in another currency cannot pass through a customer account');
  }
  const system = paymentSystemAccounts(tenantId, currency, input.processorId);
  const clearing = paymentSystemAccounts(tenantId, money.currency, input.processorId).clearing;
  const fx = money.settlement === undefined ? [] : Object.values(fxSystemAccounts(tenantId, money.currency, money.settlement.currency));
  const named: { field: string; id: string; type: 'merchant' | 'customer' }[] = [];
  if (input.merchantAccountId !== undefined) named.push({ field: 'merchant_account_id', id: input.merchantAccountId, type: 'merchant' });
  if (input.customerAccountId !== undefined) named.push({ field: 'customer_account_id', id: input.customerAccountId, type: 'customer' });
  const found = await deps.store.getAccounts(tenantId, named.map((item) => item.id as AccountId));
  for (const item of named) {
    const account = found.get(item.id as AccountId);
    if (account === undefined) return refuse('unknown_account', item.field, `no account '${item.id}'`);
    if (account.type !== item.type) return refuse('account_mismatch', item.field, `account '${item.id}' is a ${account.type} account, not a ${item.type} account`);
    if (account.currency !== currency) return refuse('account_mismatch', item.field, `account '${item.id}' holds ${account.currency}, not ${currency}`);
  }
  const wanted = [clearing, ...fx, system.feeRevenue, system.taxPayable, ...(input.merchantAccountId === undefined ? [system.merchant] : [])];
  return ok({
    merchant: (input.merchantAccountId ?? system.merchant.id) as AccountId,
    create: await missingAccounts(deps.store, tenantId, wanted),
  });
}

// Creating a transfer (V1). An internal transfer moves the money from sender to receiver
// in one commit. A transfer to another bank first holds the amount on the sender (L3,
// TRANSFER-PENDING) in one commit with its record, then asks the switch under a key
// derived from the reference and commits the answer (settle-transfer.ts). The client's
// `reference` is unique per tenant and makes the request idempotent: the same request
// again replays the first answer (or resumes a request that died before answering).
import type { AccountId, TransferId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import type { Account, AccountDefinition } from '../../domain/journal/accounts.ts';
import type { TransferWrite } from '../../domain/journal/transfers.ts';
import { formatAmount, parseAmount, parseCurrency } from '../../domain/money/money.ts';
import type { CurrencyCode } from '../../domain/money/currencies.ts';
import { ok, refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import { missingAccounts, systemAccountId } from '../payments/system-accounts.ts';
import { decideAndCommit, type Decision } from '../shared/commit.ts';
import { requestHash } from '../shared/request-hash.ts';
import { lookUpIdempotency, startedKeyWrite } from '../shared/idempotency.ts';
import type { StoredReply } from '../shared/reply.ts';
import { sendTransfer } from './ask-rail.ts';
import { applyTransferAnswer, transferLockKey, transferLocks, withFirstReply } from './settle-transfer.ts';
import { transferFromRecord, transferKind, transferWrite, type MoneyTransfer, type Receiver } from './transfer-record.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export type CreateTransferInput = {
  readonly reference: string;
  readonly senderAccountId: string;
  readonly receiver: { readonly accountId: string } | { readonly bankCode: string; readonly accountNumber: string; readonly accountName: string };
  readonly amount: string;
  readonly currency: string;
  readonly channel?: string;
};

export type CreateTransferCode = 'invalid_amount' | 'invalid_currency' | 'unknown_account' | 'account_mismatch' | 'duplicate_transfer_reference'
  | 'idempotency_key_reused' | 'conflict' | 'insufficient_funds';

export const channelDefault = 'api';

type Started = { readonly kind: 'replay'; readonly reply: StoredReply } | { readonly kind: 'send' | 'resume'; readonly transfer: MoneyTransfer };

/**
 * The `Idempotency-Key` header, when given, guards the request as well as the reference:
 * its record names the transfer, whose own first reply is what a replay returns.
 */
export async function createTransfer(deps: Dependencies, principal: TenantPrincipal, input: CreateTransferInput, idempotencyKey: string | null = null): Promise<Result<StoredReply, CreateTransferCode>> {
  const hash = requestHash('transfer', input);
  if (idempotencyKey !== null) {
    const known = await lookUpIdempotency(deps.store, principal.tenantId, { key: idempotencyKey, requestHash: hash });
    if (known.state === 'reused') return refuse('idempotency_key_reused', 'idempotency-key', 'this Idempotency-Key was used for another request');
  }
  const started = await transferLocks.run(transferLockKey({ tenantId: principal.tenantId, reference: input.reference }), () =>
    decideAndCommit(deps.store, () => decideTransfer(deps, principal, input, hash, idempotencyKey)));
  if (!started.ok) return started;
  if (started.value.kind === 'replay') return ok(started.value.reply);
  const transfer = started.value.transfer;
  const answer = transfer.status === 'TRANSFER-PENDING' ? await sendTransfer(deps, transfer) : null;
  const settled = await applyTransferAnswer(deps, transfer, answer, { countsAsRequery: false, initiator: initiatorOf(principal) });
  if (!settled.ok) return settled;
  const reply = settled.value.firstReply;
  invariant(reply !== undefined, 'a settled transfer request has its first reply');
  return ok({ statusCode: reply.statusCode, bodyText: reply.bodyText, replayed: started.value.kind === 'resume' });
}

function existingDecision(existing: MoneyTransfer, hash: string): Decision<Started, CreateTransferCode> {
  if (existing.requestHash !== hash) return refuse('duplicate_transfer_reference', 'reference', 'another transfer already has this reference');
  if (existing.firstReply !== undefined) {
    return { ok: true, changeset: null, value: { kind: 'replay', reply: { statusCode: existing.firstReply.statusCode, bodyText: existing.firstReply.bodyText, replayed: true } } };
  }
  return { ok: true, changeset: null, value: { kind: 'resume', transfer: existing } };
}

async function decideTransfer(deps: Dependencies, principal: TenantPrincipal, input: CreateTransferInput, hash: string, idempotencyKey: string | null): Promise<Decision<Started, CreateTransferCode>> {
  const tenantId = principal.tenantId;
  const stored = await deps.store.getRecord(tenantId, transferKind, input.reference);
  if (stored !== null) return existingDecision(transferFromRecord(stored), hash);
  const currency = parseCurrency(input.currency);
  if (!currency.ok) return currency;
  const amountMinor = parseAmount(input.amount, currency.value);
  if (!amountMinor.ok) return amountMinor;
  const receiver: Receiver = 'accountId' in input.receiver
    ? { kind: 'account', accountId: input.receiver.accountId as AccountId }
    : { kind: 'bank', bankCode: input.receiver.bankCode, accountNumber: input.receiver.accountNumber, accountName: input.receiver.accountName };
  const ids = [input.senderAccountId as AccountId, ...(receiver.kind === 'account' ? [receiver.accountId] : [])];
  const accounts = await deps.store.getAccounts(tenantId, ids);
  const sender = accounts.get(input.senderAccountId as AccountId);
  const checked = checkAccount(sender, 'sender_account_id', input.senderAccountId, currency.value);
  if (!checked.ok) return checked;
  if (receiver.kind === 'account') {
    if (receiver.accountId === input.senderAccountId) return refuse('account_mismatch', 'receiver.account_id', 'the receiver is the sender');
    const receiving = checkAccount(accounts.get(receiver.accountId), 'receiver.account_id', receiver.accountId, currency.value);
    if (!receiving.ok) return receiving;
  }
  return startTransfer(deps, principal, { ...input, idempotencyKey }, hash, receiver, amountMinor.value, currency.value);
}

function checkAccount(account: Account | undefined, field: string, id: string, currency: CurrencyCode): Result<true, 'unknown_account' | 'account_mismatch'> {
  if (account === undefined) return refuse('unknown_account', field, `no account '${id}'`);
  if (account.currency !== currency) return refuse('account_mismatch', field, `account '${id}' holds ${account.currency}, not ${currency}`);
  return ok(true);
}

export function settlementAccount(tenantId: MoneyTransfer['tenantId'], railId: string, currency: CurrencyCode): AccountDefinition {
  const id = systemAccountId('settlement', currency, railId);
  return { id, tenantId, type: 'settlement', currency, name: id, allowNegative: true };
}

async function startTransfer(
  deps: Dependencies, principal: TenantPrincipal, input: CreateTransferInput & { idempotencyKey: string | null }, hash: string, receiver: Receiver, amountMinor: bigint, currency: CurrencyCode,
): Promise<Decision<Started, CreateTransferCode>> {
  const tenantId = principal.tenantId;
  const at = deps.clock.now();
  const internal = receiver.kind === 'account';
  const settlement = settlementAccount(tenantId, deps.interbank.railId, currency);
  const creditAccountId = receiver.kind === 'account' ? receiver.accountId : settlement.id;
  const journal: TransferWrite = {
    id: deps.ids.next('trf') as TransferId, kind: internal ? 'posted' : 'pending', debitAccountId: input.senderAccountId as AccountId, creditAccountId,
    amountMinor, currency, transactionId: input.reference, code: 'transfer', description: `transfer ${input.reference}`,
  };
  const status = internal ? 'TRANSFER-SUCCESS' : 'TRANSFER-PENDING';
  let transfer: MoneyTransfer = {
    tenantId, reference: input.reference, version: 1, status, senderAccountId: input.senderAccountId as AccountId, receiver, creditAccountId,
    amountMinor, currency, channel: input.channel ?? channelDefault, journalTransferId: journal.id,
    rail: internal ? { outcome: 'approved', code: 'internal', message: 'Moved between accounts held here.' } : { outcome: 'none', code: 'not_sent', message: 'Not yet answered by the switch.' },
    queryAttempts: 0, nextQueryAt: at, initiator: initiatorOf(principal), requestHash: hash, ledgerSequence: 1, createdAt: at, updatedAt: at,
  };
  if (internal) transfer = withFirstReply(transfer);
  const audit = await buildAuditEntry(deps, tenantId, at, {
    stream: `txn:${input.reference}`, action: internal ? 'transfer.succeeded' : 'transfer.initiated', initiator: transfer.initiator, transactionId: input.reference,
    amount: formatAmount(amountMinor, currency), currency, status,
    details: { query: { sender_account_id: input.senderAccountId, receiver: receiver.kind === 'account' ? { account_id: receiver.accountId } : { bank_code: receiver.bankCode, account_number: receiver.accountNumber } } },
  });
  const value: Started = transfer.firstReply === undefined
    ? { kind: 'send', transfer }
    : { kind: 'replay', reply: { statusCode: transfer.firstReply.statusCode, bodyText: transfer.firstReply.bodyText, replayed: false } };
  return {
    ok: true,
    value,
    changeset: {
      tenantId, at, accounts: internal ? [] : await missingAccounts(deps.store, tenantId, [settlement]), transfers: [journal],
      records: [transferWrite(transfer, 0), ...(input.idempotencyKey === null ? [] : [startedKeyWrite({ key: input.idempotencyKey, requestHash: hash }, `transfer:${input.reference}`)])],
      ledgerEntries: [{ transactionId: input.reference, sequence: 1, status, at, transferIds: [journal.id], details: { amount: formatAmount(amountMinor, currency) } }],
      audit: [audit],
    },
  };
}

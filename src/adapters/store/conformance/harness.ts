// Shared pieces of the store conformance suite: running each specification on a fresh,
// migrated store under a tenant of its own, and builders for accounts, transfers, audit
// appends and commits. Only the Store port is used (plus dumpState where an adapter has it).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Changeset, CommitResult, Conflict, Store } from '../../../app/ports/store.ts';
import type { AuditAppend } from '../../../domain/audit/audit-record.ts';
import type { SealedEnvelope } from '../../../domain/crypto/envelope.ts';
import type { AccountId, AuditRecordId, TenantId, TransferId } from '../../../domain/ids.ts';
import type { AccountBalances, AccountDefinition, AccountType } from '../../../domain/journal/accounts.ts';
import type { TransferWrite } from '../../../domain/journal/transfers.ts';
import type { CurrencyCode } from '../../../domain/money/currencies.ts';

export type ConformanceStore = Store & { dumpState?: () => Promise<string> | string };
export type StoreFactory = () => Promise<ConformanceStore>;

/** The decision time of the suite's changesets; stores stamp their own `committedAt`. */
export const baseAt = 1_700_000_000_000;

/** `describe` for a group of specifications; suites are registered, never awaited. */
export function suite(name: string, body: () => void): void {
  void describe(name, body);
}

/** One specification, run on a fresh store that is migrated before and closed after. */
export function spec(name: string, makeStore: StoreFactory, test: (store: ConformanceStore) => Promise<void>): void {
  void it(name, async () => {
    const store = await makeStore();
    try {
      await store.migrate();
      await test(store);
    } finally {
      await store.close();
    }
  });
}

/** A tenant no other specification uses, so a shared database cannot leak between them. */
export function newTenant(): TenantId {
  return `ten_conf_${randomUUID()}` as TenantId;
}

export function accountId(name: string): AccountId {
  return name as AccountId;
}

export function transferId(name: string): TransferId {
  return name as TransferId;
}

export function account(
  tenantId: TenantId,
  id: string,
  type: AccountType,
  options: { currency?: CurrencyCode; allowNegative?: boolean } = {},
): AccountDefinition {
  return { id: accountId(id), tenantId, type, currency: options.currency ?? 'NGN', name: `${type} ${id}`, allowNegative: options.allowNegative ?? type !== 'customer' };
}

type TransferOptions = { currency?: CurrencyCode; transactionId?: string; description?: string; correctsTransferId?: string };

function transferOptions(options: TransferOptions): Pick<TransferWrite, 'transactionId' | 'description' | 'correctsTransferId'> {
  return {
    ...(options.transactionId === undefined ? {} : { transactionId: options.transactionId }),
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(options.correctsTransferId === undefined ? {} : { correctsTransferId: transferId(options.correctsTransferId) }),
  };
}

export function posted(id: string, debit: string, credit: string, amountMinor: bigint, options: TransferOptions = {}): TransferWrite {
  return {
    id: transferId(id), kind: 'posted', debitAccountId: accountId(debit), creditAccountId: accountId(credit),
    amountMinor, currency: options.currency ?? 'NGN', code: 'payment', ...transferOptions(options),
  };
}

export function hold(id: string, debit: string, credit: string, amountMinor: bigint, options: TransferOptions = {}): TransferWrite {
  return { ...posted(id, debit, credit, amountMinor, options), kind: 'pending' };
}

/** Posts `amountMinor` of a hold (all of it by default) and releases the whole hold. */
export function postHold(id: string, pending: TransferWrite, amountMinor = pending.amountMinor): TransferWrite {
  return { ...pending, id: transferId(id), kind: 'post_pending', amountMinor, pendingId: pending.id, pendingAmountMinor: pending.amountMinor, code: 'capture' };
}

export function voidHold(id: string, pending: TransferWrite): TransferWrite {
  return { ...pending, id: transferId(id), kind: 'void_pending', pendingId: pending.id, pendingAmountMinor: pending.amountMinor, code: 'void' };
}

export const sampleEnvelope: SealedEnvelope = {
  v: 1, masterKeyId: 'key-1', wrappedKey: 'd3JhcHBlZA', iv: 'aXYxMjM0NTY3OA', tag: 'dGFnMTIzNDU2Nzg5MA', ciphertext: 'Y2lwaGVydGV4dA',
};

export function auditAppend(id: string, stream: string, overrides: Partial<AuditAppend> = {}): AuditAppend {
  return { id: id as AuditRecordId, stream, at: baseAt, action: 'payment.initiated', initiator: 'api_key:k1', status: 'PAYMENT-INITIATED', ...overrides };
}

export async function commitOk(store: Store, changeset: Omit<Changeset, 'at'> & { at?: number }): Promise<number> {
  const result = await store.commit({ at: baseAt, ...changeset });
  assert.ok(result.ok, `expected the changeset to commit, got ${JSON.stringify(result)}`);
  return result.committedAt;
}

export async function commitRefused(store: Store, changeset: Omit<Changeset, 'at'> & { at?: number }, expected: Conflict): Promise<void> {
  const result: CommitResult = await store.commit({ at: baseAt, ...changeset });
  assert.deepEqual(result, { ok: false, conflict: expected });
}

export async function balancesOf(store: Store, tenantId: TenantId, id: string): Promise<AccountBalances> {
  const found = (await store.getAccounts(tenantId, [accountId(id)])).get(accountId(id));
  assert.ok(found !== undefined, `account ${id} exists`);
  return { debitsPosted: found.debitsPosted, creditsPosted: found.creditsPosted, debitsPending: found.debitsPending, creditsPending: found.creditsPending };
}

export function balances(debitsPosted: bigint, creditsPosted: bigint, debitsPending = 0n, creditsPending = 0n): AccountBalances {
  return { debitsPosted, creditsPosted, debitsPending, creditsPending };
}

export function jsonWithBigints(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${item.toString()}n` : item));
}

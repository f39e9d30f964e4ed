// The batch document contra_batch_apply takes: it must read back as exactly the rows the
// functions expect (the balance history included, and the balances a batch decided on
// remembered rows expects), whatever characters the caller's ids and descriptions hold.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Changeset } from '../../../app/ports/store.ts';
import type { AccountId, TenantId, TransferId } from '../../../domain/ids.ts';
import { decideChangeset, emptyWrites, type LockedAccount } from './batch-decide.ts';
import { key, type BatchState } from './batch-state.ts';
import { writeDocument } from './batch-write.ts';

const tenantId = 'ten_"quoted\\tenant' as TenantId;
const at = 1_700_000_000_000;

function account(id: string, debitsPosted: bigint): LockedAccount {
  return {
    id: id as AccountId, tenantId, type: 'merchant', currency: 'NGN', name: id, allowNegative: true, normalSide: 'credit', createdAt: at,
    debitsPosted, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n, lastCommittedAt: BigInt(at),
  };
}

function state(): BatchState {
  const accounts = new Map<string, LockedAccount>();
  for (const [id, debits] of [['a"1', 5n], ['b\\2', 0n], ['ç 𝄞', 9_007_199_254_740_993n]] as const) accounts.set(key(tenantId, id), account(id, debits));
  return { records: new Map(), accounts, transfers: new Map(), resolved: new Set(), ledgerEntries: new Set(), heads: new Map() };
}

const changeset: Changeset = {
  tenantId, at,
  transfers: [
    { id: 't"1' as TransferId, kind: 'posted', debitAccountId: 'a"1' as AccountId, creditAccountId: 'b\\2' as AccountId, amountMinor: 7n, currency: 'NGN', code: 'fee' },
    {
      id: 't\n2' as TransferId, kind: 'pending', debitAccountId: 'ç 𝄞' as AccountId, creditAccountId: 'a"1' as AccountId, amountMinor: 9_007_199_254_740_993n,
      currency: 'NGN', code: 'hold', transactionId: 'txn\u0000"x', description: "it's a \\ \"quote\"\t",
    },
  ],
};

function balances(debitsPosted: string, creditsPosted: string, debitsPending: string, creditsPending: string): Record<string, string> {
  return { debits_posted: debitsPosted, credits_posted: creditsPosted, debits_pending: debitsPending, credits_pending: creditsPending };
}

void describe('writeDocument', () => {
  void it('reads back as the rows contra_batch_apply takes, with the expected balances, whatever the ids and descriptions hold', () => {
    const batchState = state();
    const expected = { accounts: new Map(batchState.accounts) };
    const writes = emptyWrites();
    assert.equal(decideChangeset(batchState, changeset, writes), null);
    const document = JSON.parse(JSON.stringify(writeDocument(batchState, writes, at + 1, expected, () => true))) as Record<string, unknown>;
    const was = (debits: string) => ({ ...balances(debits, '0', '0', '0'), last_committed_at: String(at) });
    assert.deepEqual(document, {
      committed_at: at + 1,
      // Key order (code units): a"1 < b\2 < ç 𝄞.
      accounts_changed: [
        { tenant_id: tenantId, id: 'a"1', ...balances('12', '0', '0', '9007199254740993'), expected: was('5') },
        { tenant_id: tenantId, id: 'b\\2', ...balances('0', '7', '0', '0'), expected: was('0') },
        { tenant_id: tenantId, id: 'ç 𝄞', ...balances('9007199254740993', '0', '9007199254740993', '0'), expected: was('9007199254740993') },
      ],
      transfers: [
        { ord: 0, tenant_id: tenantId, id: 't"1', kind: 'posted', debit_account_id: 'a"1', credit_account_id: 'b\\2', amount_minor: '7', currency: 'NGN', code: 'fee' },
        {
          ord: 1, tenant_id: tenantId, id: 't\n2', kind: 'pending', debit_account_id: 'ç 𝄞', credit_account_id: 'a"1', amount_minor: '9007199254740993',
          currency: 'NGN', code: 'hold', transaction_id: 'txn\u0000"x', description: "it's a \\ \"quote\"\t",
        },
      ],
      history: [
        { ord: 0, tenant_id: tenantId, account_id: 'a"1', transfer_id: 't"1', ...balances('12', '0', '0', '0') },
        { ord: 1, tenant_id: tenantId, account_id: 'b\\2', transfer_id: 't"1', ...balances('0', '7', '0', '0') },
        { ord: 2, tenant_id: tenantId, account_id: 'ç 𝄞', transfer_id: 't\n2', ...balances('9007199254740993', '0', '9007199254740993', '0') },
        { ord: 3, tenant_id: tenantId, account_id: 'a"1', transfer_id: 't\n2', ...balances('12', '0', '0', '9007199254740993') },
      ],
    });
  });

  void it('sends no expected balances after a locked read, and lists a tenant the process has not committed', () => {
    const batchState = state();
    const writes = emptyWrites();
    assert.equal(decideChangeset(batchState, changeset, writes), null);
    const document = JSON.parse(JSON.stringify(writeDocument(batchState, writes, at + 1, null, () => false))) as { tenants: unknown; accounts_changed: Record<string, unknown>[] };
    assert.deepEqual(document.tenants, [tenantId]);
    assert.ok(document.accounts_changed.every((row) => !('expected' in row)));
  });
});

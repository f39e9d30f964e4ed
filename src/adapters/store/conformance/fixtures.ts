// A small journal most specifications start from, and the snapshot used to prove that a
// refused changeset left no trace: the adapter's dumpState when it has one, else reads.
import assert from 'node:assert/strict';
import type { Store } from '../../../app/ports/store.ts';
import type { TenantId } from '../../../domain/ids.ts';
import type { AuditRecord } from '../../../domain/audit/audit-record.ts';
import { account, accountId, commitOk, jsonWithBigints, newTenant, posted, transferId, type ConformanceStore } from './harness.ts';

/**
 * Account names of the standard journal. `customer` forbids a negative balance (credit
 * normal); `strict-clearing` forbids it on the debit-normal side; the others allow it.
 */
export const journalAccounts = ['clearing', 'merchant', 'customer', 'fees', 'strict-clearing', 'usd-clearing', 'usd-merchant'] as const;

export async function openJournal(store: Store, tenantId: TenantId = newTenant()): Promise<TenantId> {
  await commitOk(store, {
    tenantId,
    accounts: [
      account(tenantId, 'clearing', 'processor_clearing'),
      account(tenantId, 'merchant', 'merchant'),
      account(tenantId, 'customer', 'customer'),
      account(tenantId, 'fees', 'fee_revenue'),
      account(tenantId, 'strict-clearing', 'processor_clearing', { allowNegative: false }),
      account(tenantId, 'usd-clearing', 'processor_clearing', { currency: 'USD' }),
      account(tenantId, 'usd-merchant', 'merchant', { currency: 'USD' }),
    ],
  });
  return tenantId;
}

/** Credits the no-negative customer account from clearing. */
export async function fundCustomer(store: Store, tenantId: TenantId, amountMinor: bigint, id = 'fund-customer'): Promise<void> {
  await commitOk(store, { tenantId, transfers: [posted(id, 'clearing', 'customer', amountMinor)] });
}

/** The journal invariant (L2): per currency, debits equal credits, posted and pending alike. */
export async function assertTotalsBalance(store: Store, tenantId: TenantId): Promise<void> {
  for (const [currency, { debits, credits }] of await store.journalTotals(tenantId)) {
    assert.equal(debits.debitsPosted, credits.creditsPosted, `${currency}: posted debits equal posted credits`);
    assert.equal(debits.debitsPending, credits.creditsPending, `${currency}: pending debits equal pending credits`);
  }
}

/** What a snapshot reads when the adapter cannot dump its whole state. */
export type StateProbe = {
  readonly records?: readonly (readonly [kind: string, id: string])[];
  readonly transfers?: readonly string[];
  readonly transactions?: readonly string[];
};

async function readState(store: Store, tenantId: TenantId, probe: StateProbe): Promise<unknown> {
  const audit: AuditRecord[] = [];
  await store.scanAudit(tenantId, () => (record) => audit.push(record));
  const accounts = await store.getAccounts(tenantId, journalAccounts.map(accountId));
  return {
    accounts: [...accounts.entries()],
    records: await Promise.all((probe.records ?? []).map(([kind, id]) => store.getRecord(tenantId, kind, id))),
    transfers: await Promise.all((probe.transfers ?? []).map((id) => store.getTransfer(tenantId, transferId(id)))),
    resolutions: await Promise.all((probe.transfers ?? []).map((id) => store.getPendingResolution(tenantId, transferId(id)))),
    transactions: await Promise.all((probe.transactions ?? []).map((id) => store.listTransactionTransfers(tenantId, id))),
    ledger: await Promise.all((probe.transactions ?? []).map((id) => store.listLedgerEntries(tenantId, id))),
    accountTransfers: await Promise.all(journalAccounts.map((id) => store.listAccountTransfers(tenantId, accountId(id), { limit: 200 }))),
    totals: [...(await store.journalTotals(tenantId)).entries()],
    audit,
    heads: await store.auditHeads(tenantId),
    checkpoint: await store.latestAuditCheckpoint(tenantId),
  };
}

/** The whole store when the adapter can dump it; otherwise everything the probe names, read through the port. */
export async function stateOf(store: ConformanceStore, tenantId: TenantId, probe: StateProbe = {}): Promise<string> {
  if (store.dumpState !== undefined) return store.dumpState();
  return jsonWithBigints(await readState(store, tenantId, probe));
}

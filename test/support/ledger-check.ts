// The invariant every test ends with (L2): per tenant and currency, total debits equal
// total credits, posted and pending alike.
import assert from 'node:assert/strict';
import type { TenantId } from '../../src/domain/ids.ts';
import type { Store } from '../../src/app/ports/store.ts';

export async function assertLedgerBalances(store: Store, tenantIds?: readonly string[]): Promise<void> {
  const tenants = tenantIds ?? (await store.listTenantIds());
  for (const tenantId of tenants) {
    const totals = await store.journalTotals(tenantId as TenantId);
    for (const [currency, { debits, credits }] of totals) {
      assert.equal(debits.debitsPosted, credits.creditsPosted, `${tenantId} ${currency}: posted debits ≠ posted credits`);
      assert.equal(debits.debitsPending, credits.creditsPending, `${tenantId} ${currency}: pending debits ≠ pending credits`);
    }
  }
}

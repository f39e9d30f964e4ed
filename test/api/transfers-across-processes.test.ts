// Transfers whose outcome was unknown, settled by two processes at once (V3, V5): this
// process runs the status-query job by hand while a second, real `contra serve` on the same
// store runs its own every 100 ms. Each transfer must end once — credited once when the
// switch says paid, reversed once when it says failed — on SQLite, PostgreSQL and DynamoDB.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { secondProcess, stopSecondProcess, type SecondProcess } from '../support/second-process.ts';
import { createTenant, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { balances, fundedCustomer, readTransfer, toBank } from '../support/transfers.ts';
import { requeryPendingTransfers } from '../../src/app/transfers/requery-transfers.ts';
import type { TenantId } from '../../src/domain/ids.ts';

const settleTimeoutMs = 30_000;

describe('uncertain transfers settled by two processes at once', () => {
  let service: TestService;
  let second: SecondProcess;
  let tenant: Tenant;
  before(async () => {
    service = await startService();
    tenant = await createTenant(service, 'Two-process transfers');
    await fundedCustomer(service, tenant, 'alice', '100000.00');
    second = await secondProcess(service, { CONTRA_REQUERY_INTERVAL_MS: '100', CONTRA_REQUERY_DELAY_MS: '0' });
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => {
    await stopSecondProcess(second);
    await service.close();
  });

  it('credits each paid transfer once and reverses each failed one once', async () => {
    const before = await balances(service, tenant, 'alice');
    // 97: the switch timed out; the status query then says paid (third-last digit even) or failed (odd).
    const references = Array.from({ length: 8 }, (_, index) => [`xt-${index}`, index % 2 === 0 ? '0123456297' : '0123456197'] as const);
    for (const [reference, account] of references) assert.equal((await toBank(service, tenant, reference, 'alice', account, '10.00')).status, 202);
    const statuses = async (): Promise<string[]> => Promise.all(references.map(async ([reference]) => String((await readTransfer(service, tenant, reference))['transfer_status'])));
    for (const startedAt = Date.now(); (await statuses()).some((status) => status === 'TRANSFER-PENDING');) {
      assert.ok(Date.now() - startedAt < settleTimeoutMs, `still pending after ${settleTimeoutMs} ms: ${(await statuses()).join(', ')}\n${second.output()}`);
      await requeryPendingTransfers(service.runtime.deps);
    }
    assert.deepEqual(await statuses(), references.map(([, account]) => (account === '0123456297' ? 'TRANSFER-SUCCESS' : 'TRANSFER-REVERSED')));
    for (const [reference, account] of references) {
      const kinds = (await service.runtime.deps.store.listTransactionTransfers(tenant.tenantId as TenantId, reference)).map((transfer) => transfer.kind).sort();
      assert.deepEqual(kinds, account === '0123456297' ? ['pending', 'post_pending'] : ['pending', 'void_pending'], reference);
    }
    const after = await balances(service, tenant, 'alice');
    assert.equal(Number(before.posted) - Number(after.posted), 40, 'four transfers of 10.00 paid, four given back');
    assert.equal(after.available, after.posted, 'no hold left behind');
  });
});

// A manual reversal approved twice at the same moment through two Contra processes on one
// store (V5: executed exactly once). In one process the use case's keyed lock already
// serializes the two approvals; across processes only the store's version checks stand
// between them, so this runs a second, real `contra serve` on the same store and key,
// sends one approval to each, and checks that the money came back exactly once — on
// SQLite (two processes on one file), PostgreSQL and DynamoDB Local alike.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { secondProcess, stopSecondProcess, type SecondProcess } from '../support/second-process.ts';
import { call, createTenant, type Response, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { balances, fundedCustomer, readTransfer, toBank } from '../support/transfers.ts';
import type { TenantId } from '../../src/domain/ids.ts';

describe('a reversal approved through two processes at once', () => {
  let service: TestService;
  let second: SecondProcess;
  let tenant: Tenant;
  before(async () => {
    service = await startService();
    tenant = await createTenant(service, 'Two-process bank', { reversal_manual_channels: ['branch'], reversal_manager_threshold: '1000000.00' });
    await fundedCustomer(service, tenant, 'alice', '100000.00');
    second = await secondProcess(service);
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => {
    await stopSecondProcess(second);
    await service.close();
  });

  it('moves the money back exactly once, whichever process wins, round after round', async () => {
    const rounds = 6;
    for (let round = 0; round < rounds; round++) {
      const reference = `xp-${round}`;
      // 91: the beneficiary bank is not available, a definite failure; the branch channel needs a person.
      assert.equal((await toBank(service, tenant, reference, 'alice', '0123456791', '100.00', { channel: 'branch' })).status, 502);
      const reversalId = String((await readTransfer(service, tenant, reference))['reversal_id']);
      const before = await balances(service, tenant, 'alice');
      const approve = (where: TestService): Promise<Response> =>
        call(where, 'POST', `/api/v1/transactions/reversals/${reversalId}/approve`, undefined, { token: tenant.keys['approver']! });
      const answers = await Promise.all([approve(service), approve(second.peer)]);
      const statuses = answers.map((answer) => answer.status).sort();
      assert.equal(statuses.filter((status) => status === 200).length, 1, `one approval executes: ${answers.map((answer) => answer.text).join('\n')}\n${second.output()}`);
      assert.ok(statuses.every((status) => status === 200 || status === 409 || status === 422), `${answers.map((answer) => answer.text).join('\n')}\n${second.output()}`);
      const after = await balances(service, tenant, 'alice');
      assert.equal(Number(after.available) - Number(before.available), 100, 'the held 100.00 is released once');
      assert.equal((await readTransfer(service, tenant, reference))['transfer_status'], 'TRANSFER-REVERSED');
      const journal = await service.runtime.deps.store.listTransactionTransfers(tenant.tenantId as TenantId, reference);
      assert.equal(journal.filter((transfer) => transfer.kind === 'void_pending').length, 1, 'one void of the hold');
    }
  });

  it('lets an approval in one process and a rejection in the other end in one decision, with the money where it says', async () => {
    for (let round = 0; round < 6; round++) {
      const reference = `xr-${round}`;
      assert.equal((await toBank(service, tenant, reference, 'alice', '0123456791', '100.00', { channel: 'branch' })).status, 502);
      const reversalId = String((await readTransfer(service, tenant, reference))['reversal_id']);
      const before = await balances(service, tenant, 'alice');
      const path = `/api/v1/transactions/reversals/${reversalId}`;
      const token = tenant.keys['approver']!;
      // Alternate which process approves, so each side of the race is run by both.
      const [approver, rejecter] = round % 2 === 0 ? [service, second.peer] : [second.peer, service];
      const [approved, rejected] = await Promise.all([
        call(approver, 'POST', `${path}/approve`, undefined, { token }),
        call(rejecter, 'POST', `${path}/reject`, { reason: 'the branch confirmed the credit' }, { token }),
      ]);
      assert.equal([approved.status, rejected.status].filter((status) => status === 200).length, 1, `${approved.text}\n${rejected.text}\n${second.output()}`);
      assert.ok([approved.status, rejected.status].every((status) => status === 200 || status === 409), `${approved.text}\n${rejected.text}`);
      const decided = (await call(service, 'GET', path, undefined, { token: tenant.keys['operator']! })).body['status'];
      const transferStatus = (await readTransfer(service, tenant, reference))['transfer_status'];
      const voids = (await service.runtime.deps.store.listTransactionTransfers(tenant.tenantId as TenantId, reference)).filter((transfer) => transfer.kind === 'void_pending').length;
      const released = Number((await balances(service, tenant, 'alice')).available) - Number(before.available);
      if (approved.status === 200) assert.deepEqual([decided, transferStatus, voids, released], ['COMPLETED', 'TRANSFER-REVERSED', 1, 100]);
      else assert.deepEqual([decided, transferStatus, voids, released], ['REJECTED', 'TRANSFER-FAILED', 0, 0]);
    }
  });
});

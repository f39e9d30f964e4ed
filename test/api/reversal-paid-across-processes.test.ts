// Rejecting a reversal because the beneficiary was paid, raced across two Contra processes
// on one store (V3, V5): a paid rejection in one process against a paid rejection and an
// approval in the other. Within one process the transfer's keyed lock serializes them
// (reversal-paid.test.ts); across processes only the store's version checks and the hold
// resolved once stand between them. Neither process's switch can say what happened (the
// status queries of both time out after the same 300 ms, so the decisions reach the store
// together), so the people decide, and exactly one decision wins: the hold posted (paid) or voided (reversed), never
// both — on SQLite, PostgreSQL and DynamoDB Local alike.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { secondProcess, stopSecondProcess, type SecondProcess } from '../support/second-process.ts';
import { createTenant, type Response, type Tenant } from '../support/client.ts';
import { reversalCalls } from '../support/reversals.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { ControlledSwitch } from '../support/controlled-switch.ts';
import { balances, fundedCustomer, readTransfer, toBank } from '../support/transfers.ts';
import { requeryPendingTransfers } from '../../src/app/transfers/requery-transfers.ts';
import type { TenantId } from '../../src/domain/ids.ts';

const codeOf = (answer: Response): string => (answer.body['error'] as { code: string } | undefined)?.code ?? `(${answer.status})`;
const paid = { resolution: 'paid', evidence: 'NIBSS session 000015261130120000123456789012' };

describe('a paid rejection raced across two processes', () => {
  let service: TestService;
  let second: SecondProcess;
  let tenant: Tenant;
  const rail = new ControlledSwitch();
  before(async () => {
    service = await startService({ interbank: rail, environment: { CONTRA_REQUERY_ATTEMPTS_MAX: '2', CONTRA_PROCESSOR_TIMEOUT_MS: '300' } });
    tenant = await createTenant(service, 'Paid race bank', { reversal_manual_channels: ['branch'], reversal_manager_threshold: '10000.00' });
    await fundedCustomer(service, tenant, 'alice', '100000.00');
    // The second process's simulated switch answers after 60 s, its calls time out after 300 ms.
    second = await secondProcess(service, { CONTRA_SIMULATOR_LATENCY_MS: '60000' });
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => {
    await stopSecondProcess(second);
    await service.close();
  });

  /** A transfer escalated after its status queries went unanswered, with a manual reversal requested. */
  async function escalatedWithReversal(reference: string): Promise<string> {
    rail.silentQueries = true;
    assert.equal((await toBank(service, tenant, reference, 'alice', '0123456097', '70.00')).status, 202);
    await requeryPendingTransfers(service.runtime.deps);
    await requeryPendingTransfers(service.runtime.deps);
    assert.equal((await readTransfer(service, tenant, reference))['transfer_status'], 'TRANSFER-ESCALATED');
    const requested = await reversalCalls(service, tenant).request({ transfer_reference: reference }, 'operator');
    assert.equal(requested.status, 201, requested.text);
    return (requested.body['reversal'] as { reversal_id: string }).reversal_id;
  }

  it('ends with one outcome, never both, whichever process decides first, round after round', async () => {
    for (let round = 0; round < 4; round++) {
      const reference = `xpaid-${round}`;
      const id = await escalatedWithReversal(reference);
      const before = await balances(service, tenant, 'alice');
      // Both processes' last status queries now wait out the same 300 ms, so their decisions
      // reach the store together.
      rail.hangQueries = true;
      // Alternate which process makes which decision, so each side of each race runs in both.
      const [one, other] = round % 2 === 0 ? [service, second.peer] : [second.peer, service];
      const decisions = await Promise.all([
        reversalCalls(one, tenant).reject(id, 'approver', paid),
        reversalCalls(other, tenant).reject(id, 'admin', paid),
        reversalCalls(other, tenant).approve(id, 'approver'),
      ]);
      rail.hangQueries = false;
      const texts = `${decisions.map((answer) => answer.text).join('\n')}\n${second.output()}`;
      assert.equal(decisions.filter((answer) => answer.status === 200).length, 1, `exactly one decision wins:\n${texts}`);
      for (const answer of decisions.filter((item) => item.status !== 200)) {
        assert.ok(['reversal_already_decided', 'transfer_succeeded'].includes(codeOf(answer)), texts);
      }
      const journal = await service.runtime.deps.store.listTransactionTransfers(tenant.tenantId as TenantId, reference);
      const resolutions = journal.filter((transfer) => transfer.kind === 'post_pending' || transfer.kind === 'void_pending').map((transfer) => transfer.kind);
      assert.equal(resolutions.length, 1, `the hold is resolved once: ${resolutions.join(', ')}`);
      const status = (await readTransfer(service, tenant, reference))['transfer_status'];
      const reversal = (await reversalCalls(service, tenant).read(id)).body['status'];
      const after = await balances(service, tenant, 'alice');
      if (resolutions[0] === 'post_pending') {
        assert.deepEqual([status, reversal, Number(before.posted) - Number(after.posted)], ['TRANSFER-SUCCESS', 'REJECTED', 70], 'paid: debited for good');
      } else {
        assert.deepEqual([status, reversal, Number(after.available) - Number(before.available), after.posted], ['TRANSFER-REVERSED', 'COMPLETED', 70, before.posted], 'reversed: the hold released');
      }
    }
  });
});

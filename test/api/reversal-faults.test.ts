// Reversals under concurrency and faults (V2, V3, V5): detection, the status-query job and
// approval running at once, twice, reverse exactly once; a crash after the switch answered
// but before the answer was recorded is settled by the status query, paying or reversing
// once; an inter-bank timeout is resent under the same key only when the switch never got
// it; orphaned debits and glitch bursts are found by the sweep. The ledger balances after
// every test.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { createTenant, type Response, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { ControlledSwitch } from '../support/controlled-switch.ts';
import { balances, fundedCustomer, readTransfer, toBank } from '../support/transfers.ts';
import { reversalCalls } from '../support/reversals.ts';
import { requeryPendingTransfers } from '../../src/app/transfers/requery-transfers.ts';
import { detectFailures } from '../../src/app/reversals/detect-failures.ts';
import { createTransfer } from '../../src/app/transfers/create-transfer.ts';
import { transferIdempotencyKey } from '../../src/app/transfers/ask-rail.ts';
import type { Changeset, Store } from '../../src/app/ports/store.ts';
import { crashingOnce } from '../support/crashing-store.ts';
import type { ApiKeyId, TenantId } from '../../src/domain/ids.ts';

/** A store that dies once, at the commit that would record the switch's answer to a transfer. */
function crashingAtAnswer(store: Store): Store {
  return crashingOnce(store, (changeset: Changeset) => changeset.records?.some((record) => record.kind === 'transfer' && record.expectedVersion > 0) ?? false,
    'simulated crash after the switch answered, before the answer was recorded');
}

describe('reversal concurrency and faults', () => {
  let service: TestService;
  let tenant: Tenant;
  let api: ReturnType<typeof reversalCalls>;
  const rail = new ControlledSwitch();
  before(async () => {
    service = await startService({
      interbank: rail,
      environment: { CONTRA_REQUERY_ATTEMPTS_MAX: '2', CONTRA_PROCESSOR_TIMEOUT_MS: '300', CONTRA_ORPHAN_GRACE_MS: '0', CONTRA_GLITCH_BURST_THRESHOLD: '3' },
    });
    tenant = await createTenant(service, 'Fault bank', { reversal_manual_channels: ['branch'] });
    api = reversalCalls(service, tenant);
    await fundedCustomer(service, tenant, 'alice', '1000000.00');
  });
  afterEach(async () => {
    rail.silentQueries = false;
    rail.hangTransfers = false;
    await assertLedgerBalances(service.runtime.deps.store);
  });
  after(async () => service.close());
  const principal = () => ({ kind: 'api_key' as const, tenantId: tenant.tenantId as TenantId, apiKeyId: 'key_TEST' as ApiKeyId, role: 'service' as const });
  const journalOf = (reference: string) => service.runtime.deps.store.listTransactionTransfers(tenant.tenantId as TenantId, reference);
  const entriesOf = async (reference: string) => ((await readTransfer(service, tenant, reference))['entries'] as { status: string }[]).map((entry) => entry.status);
  async function reversalsOf(reference: string): Promise<{ status: string }[]> {
    const listed = await api.list('?limit=200');
    return (listed.body['data'] as { transfer_reference: string; status: string }[]).filter((item) => item.transfer_reference === reference);
  }

  for (const round of [1, 2]) {
    it(`reverses exactly once when approvals, detection and status queries run at once (round ${round}, V5)`, async () => {
      const reference = `race-manual-${round}`;
      const before = await balances(service, tenant, 'alice');
      assert.equal((await toBank(service, tenant, reference, 'alice', '0123456791', '700.00', { channel: 'branch' })).status, 502);
      const id = String((await readTransfer(service, tenant, reference))['reversal_id']);
      const answers: Response[] = await Promise.all([
        api.approve(id, 'approver', `race-a-${round}`), api.approve(id, 'approver', `race-b-${round}`), api.approve(id, 'admin'),
        api.detect(), api.detect(),
        requeryPendingTransfers(service.runtime.deps).then(() => api.read(id)), requeryPendingTransfers(service.runtime.deps).then(() => api.read(id)),
      ]);
      const approvals = answers.slice(0, 3).map((answer) => answer.status).sort();
      assert.deepEqual(approvals, [200, 409, 409], answers.slice(0, 3).map((answer) => answer.text).join('\n'));
      const voids = (await journalOf(reference)).filter((transfer) => transfer.kind === 'void_pending');
      assert.equal(voids.length, 1);
      assert.deepEqual(await entriesOf(reference), ['TRANSFER-PENDING', 'TRANSFER-FAILED', 'TRANSFER-REVERSED']);
      assert.deepEqual((await reversalsOf(reference)).map((item) => item.status), ['COMPLETED']);
      assert.deepEqual(await balances(service, tenant, 'alice'), before);
    });

    it(`reverses an uncertain transfer exactly once when status queries and detection race (round ${round}, V3, V5)`, async () => {
      const reference = `race-auto-${round}`;
      const before = await balances(service, tenant, 'alice');
      assert.equal((await toBank(service, tenant, reference, 'alice', '0123456197', '90.00')).status, 202);
      await Promise.all([
        requeryPendingTransfers(service.runtime.deps), requeryPendingTransfers(service.runtime.deps), api.detect(), api.detect(),
      ]);
      assert.equal((await journalOf(reference)).filter((transfer) => transfer.kind === 'void_pending').length, 1);
      assert.deepEqual((await reversalsOf(reference)).map((item) => item.status), ['COMPLETED']);
      assert.deepEqual(await entriesOf(reference), ['TRANSFER-PENDING', 'TRANSFER-FAILED', 'TRANSFER-REVERSED']);
      assert.deepEqual(await balances(service, tenant, 'alice'), before);
    });
  }

  const crashes: [string, string, string, string][] = [
    ['credits once', '0123456700', 'TRANSFER-SUCCESS', 'post_pending'],
    ['reverses once', '0123456791', 'TRANSFER-REVERSED', 'void_pending'],
  ];
  for (const [outcome, account, settled, resolution] of crashes) {
    it(`settles a transfer whose answer was lost to a crash through the status query, and ${outcome}`, async () => {
      const reference = `crash-${account}`;
      const crashed = createTransfer({ ...service.runtime.deps, store: crashingAtAnswer(service.runtime.deps.store) }, principal(), {
        reference, senderAccountId: 'alice', receiver: { bankCode: '999', accountNumber: account, accountName: 'Ada Obi' }, amount: '60.00', currency: 'NGN',
      });
      await assert.rejects(crashed, /simulated crash/);
      assert.equal((await readTransfer(service, tenant, reference))['transfer_status'], 'TRANSFER-PENDING');
      await requeryPendingTransfers(service.runtime.deps);
      await requeryPendingTransfers(service.runtime.deps);
      assert.equal((await readTransfer(service, tenant, reference))['transfer_status'], settled);
      const resolutions = (await journalOf(reference)).filter((transfer) => transfer.kind === 'post_pending' || transfer.kind === 'void_pending');
      assert.deepEqual(resolutions.map((transfer) => transfer.kind), [resolution]);
      assert.equal(rail.transferCalls(transferIdempotencyKey({ tenantId: tenant.tenantId as TenantId, reference })), 1);
      const retried = await toBank(service, tenant, reference, 'alice', account, '60.00');
      assert.equal(retried.headers.get('idempotency-replayed'), 'true');
      assert.equal(retried.status, settled === 'TRANSFER-SUCCESS' ? 201 : 502, retried.text);
    });
  }

  it('keeps a timed-out transfer pending, then resends it under the same key when the switch never got it', async () => {
    rail.hangTransfers = true;
    const answer = await toBank(service, tenant, 'timeout-1', 'alice', '0123456700', '30.00');
    assert.equal(answer.status, 202, answer.text);
    const pending = await readTransfer(service, tenant, 'timeout-1');
    assert.deepEqual([pending['transfer_status'], (pending['rail'] as { code: string }).code], ['TRANSFER-PENDING', 'timeout']);
    rail.hangTransfers = false;
    await requeryPendingTransfers(service.runtime.deps);
    assert.equal((await readTransfer(service, tenant, 'timeout-1'))['transfer_status'], 'TRANSFER-SUCCESS');
    assert.equal(rail.transferCalls(transferIdempotencyKey({ tenantId: tenant.tenantId as TenantId, reference: 'timeout-1' })), 1);
    assert.equal((await journalOf('timeout-1')).filter((transfer) => transfer.kind === 'post_pending').length, 1);
  });

  it('goes on with the other orphaned debits and the burst scan when settling one of them throws (V2)', async () => {
    for (const [reference, account] of [['opoison-a', '0123456097'], ['opoison-b', '0123456297']] as const) {
      assert.equal((await toBank(service, tenant, reference, 'alice', account, '100.00')).status, 202);
    }
    // Whichever of the two the sweep reaches first cannot be committed (as a value the database refuses would).
    const failing = crashingOnce(service.runtime.deps.store,
      (changeset) => changeset.records?.some((record) => record.kind === 'transfer' && record.id.startsWith('opoison-')) ?? false, 'simulated store failure');
    const report = await detectFailures({ ...service.runtime.deps, store: failing }, { tenantId: tenant.tenantId as TenantId });
    assert.equal(report.errors, 1, JSON.stringify(report));
    assert.match(report.errorReasons[0] ?? '', /^[^/]+\/opoison-[ab]: Error: simulated store failure$/);
    assert.ok(Array.isArray(report.glitchBursts), 'the burst scan ran');
    const statuses = await Promise.all(['opoison-a', 'opoison-b'].map(async (reference) => (await readTransfer(service, tenant, reference))['transfer_status']));
    assert.deepEqual([...statuses].sort(), ['TRANSFER-PENDING', 'TRANSFER-SUCCESS'], 'the debit after the failing one was settled');
    const next = await detectFailures(service.runtime.deps, { tenantId: tenant.tenantId as TenantId });
    assert.equal(next.errors, 0, JSON.stringify(next));
    for (const reference of ['opoison-a', 'opoison-b']) assert.equal((await readTransfer(service, tenant, reference))['transfer_status'], 'TRANSFER-SUCCESS');
  });

  it('marks a debit still unconfirmed after the grace period as orphaned, escalates it, and reverses it only on approval (V2)', async () => {
    rail.hangTransfers = true;
    rail.silentQueries = true;
    assert.equal((await toBank(service, tenant, 'orphan-1', 'alice', '0123456700', '40.00')).status, 202);
    const first = await api.detect();
    assert.equal(first.status, 200, first.text);
    assert.ok(Number(first.body['orphaned_debits']) >= 1, first.text);
    assert.equal((await api.request({ transfer_reference: 'orphan-1' })).status, 422);
    await api.detect();
    assert.equal((await readTransfer(service, tenant, 'orphan-1'))['transfer_status'], 'TRANSFER-ESCALATED');
    const requested = await api.request({ transfer_reference: 'orphan-1' });
    assert.equal(requested.status, 201, requested.text);
    const reversal = requested.body['reversal'] as { reversal_id: string; failure_type: string };
    assert.equal(reversal.failure_type, 'orphaned_debit');
    assert.equal((await api.approve(reversal.reversal_id)).status, 200);
    assert.equal((await readTransfer(service, tenant, 'orphan-1'))['transfer_status'], 'TRANSFER-REVERSED');
  });

  it('flags a burst of 91/96 failures at one bank once per window (V2)', async () => {
    const quiet = await createTenant(service, 'Glitch bank');
    const quietApi = reversalCalls(service, quiet);
    await fundedCustomer(service, quiet, 'chidi', '1000.00');
    assert.equal((await toBank(service, quiet, 'glitch-0', 'chidi', '0123456791', '5.00')).status, 502);
    assert.deepEqual((await quietApi.detect()).body['glitch_bursts'], []);
    for (const [index, code] of ['96', '91'].entries()) {
      assert.equal((await toBank(service, quiet, `glitch-${index + 1}`, 'chidi', `01234567${code}`, '5.00')).status, 502);
    }
    const first = await quietApi.detect();
    const bursts = first.body['glitch_bursts'] as { bank_code: string; count: number; new: boolean }[];
    const burst = bursts.find((item) => item.bank_code === '999');
    assert.ok(burst !== undefined && burst.count === 3 && burst.new, first.text);
    const second = await quietApi.detect();
    const again = (second.body['glitch_bursts'] as { bank_code: string; new: boolean }[]).find((item) => item.bank_code === '999');
    assert.equal(again?.new, false);
  });
});

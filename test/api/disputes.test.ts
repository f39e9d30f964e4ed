// Disputes through the real HTTP server (D1): a customer report opens a case with a
// unique DSP reference and a deadline from the tenant's timeline rules and calendar
// (weekends and holiday overrides skipped); the lifecycle refuses illegal moves by name;
// every change is audited; Idempotency-Key replays; the escalation job escalates an
// overdue case once, even run twice at once, with its penalty exposure and one
// operations notice. A customer's report of a transfer with no failed transaction opens
// one (V2, `customer_report`), decided by the status query and never reversed on the
// customer's word alone.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Response, type Tenant } from '../support/client.ts';
import { balances, fundedCustomer, readTransfer, toBank, transfer } from '../support/transfers.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { ControlledSwitch } from '../support/controlled-switch.ts';
import { detectFailures } from '../../src/app/reversals/detect-failures.ts';
import { escalateOverdueDisputes } from '../../src/app/disputes/escalate-disputes.ts';
import { createTransfer } from '../../src/app/transfers/create-transfer.ts';
import { requeryPendingTransfers } from '../../src/app/transfers/requery-transfers.ts';
import { crashingOnce } from '../support/crashing-store.ts';
import type { Changeset, Store } from '../../src/app/ports/store.ts';
import type { ApiKeyId, TenantId } from '../../src/domain/ids.ts';

const codeOf = (answer: Response): string => (answer.body['error'] as { code: string; field?: string } | undefined)?.code ?? `(${answer.status})`;
const fieldOf = (answer: Response): string | undefined => (answer.body['error'] as { field?: string } | undefined)?.field;
const hourMs = 60 * 60 * 1000;

describe('disputes', () => {
  let service: TestService;
  let tenant: Tenant;
  const clock = { offsetMs: 0, now(): number { return Date.now() + this.offsetMs; } };
  const at = (iso: string): void => { clock.offsetMs = Date.parse(iso) - Date.now(); };
  const open = (body: Record<string, unknown>, key?: string, role = 'operator'): Promise<Response> =>
    call(service, 'POST', '/api/v1/transactions/reversals/disputes', { customer_id: 'cust-42', reason: 'my beneficiary was not credited', ...body },
      { token: tenant.keys[role]!, ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }) });
  const patch = (id: string, body: Record<string, unknown>, role = 'operator'): Promise<Response> =>
    call(service, 'PATCH', `/api/v1/transactions/reversals/disputes/${id}`, body, { token: tenant.keys[role]! });
  const list = (query = ''): Promise<Response> => call(service, 'GET', `/api/v1/transactions/reversals/disputes${query}`, undefined, { token: tenant.keys['operator']! });

  before(async () => {
    service = await startService({ clock });
    tenant = await createTenant(service, 'Dispute bank', { reversal_manual_channels: ['nip'] });
    await fundedCustomer(service, tenant, 'alice', '5000000.00');
    assert.equal((await toBank(service, tenant, 'ok-1', 'alice', '0123456700', '2500.00')).status, 201);
    assert.equal((await toBank(service, tenant, 'ok-2', 'alice', '0123456700', '2000000.00')).status, 201);
    assert.equal((await toBank(service, tenant, 'nip-91', 'alice', '0123456791', '700.00', { channel: 'nip' })).status, 502);
  });
  after(async () => service.close());

  it('opens a case from a customer report with a DSP reference and a T+2 deadline over the weekend', async () => {
    at('2026-12-04T14:00:00Z'); // Friday 15:00 in Lagos
    const opened = await open({ transfer_reference: 'ok-1' });
    assert.equal(opened.status, 201, opened.text);
    assert.match(String(opened.body['dispute_reference']), /^DSP-2026-\d{6}$/);
    assert.deepEqual(
      [opened.body['status'], opened.body['priority'], opened.body['detection_method'], opened.body['failed_transaction_id'], opened.body['customer_id'], opened.body['rule']],
      ['open', 'medium', 'customer_report', 'FTX-ok-1', 'cust-42', 'fallback'],
    );
    // Friday → Monday, Tuesday: the close of Tuesday's business day in Lagos.
    assert.equal(opened.body['due_at'], '2026-12-08T22:59:59.999Z');
    const audit = await call(service, 'GET', '/api/v1/audit?transaction_id=ok-1&action=dispute.opened', undefined, { token: tenant.keys['auditor']! });
    assert.equal((audit.body['data'] as unknown[]).length, 1, audit.text);
  });

  it('skips a holiday override and gives high-value cases T+1', async () => {
    const override = await call(service, 'PUT', '/api/v1/calendar/holidays/2026-12-07', { action: 'add', name: 'Declared holiday' }, { token: tenant.adminKey });
    assert.equal(override.status, 200, override.text);
    at('2026-12-04T14:00:00Z');
    const usual = await open({ transfer_reference: 'ok-1', priority: 'low' });
    assert.equal(usual.body['due_at'], '2026-12-09T22:59:59.999Z', usual.text);
    const large = await open({ transfer_reference: 'ok-2', priority: 'high' });
    assert.deepEqual([large.body['rule'], large.body['due_at']], ['high_value', '2026-12-08T22:59:59.999Z']);
    assert.equal((await call(service, 'DELETE', '/api/v1/calendar/holidays/2026-12-07', undefined, { token: tenant.adminKey })).status, 200);
  });

  it('links a failed transaction and numbers references uniquely', async () => {
    at('2026-12-01T09:00:00Z');
    const failedId = String((await readTransfer(service, tenant, 'nip-91'))['failed_transaction_id']);
    const opened = await open({ failed_transaction_id: failedId, priority: 'critical' });
    assert.equal(opened.status, 201, opened.text);
    assert.deepEqual([opened.body['transfer_reference'], opened.body['failed_transaction_id'], opened.body['detection_method']], ['nip-91', failedId, 'automatic']);
    const all = await list('?limit=100');
    const references = (all.body['data'] as { dispute_reference: string }[]).map((dispute) => dispute.dispute_reference);
    assert.equal(new Set(references).size, references.length);
  });

  it('refuses what it cannot open, naming the field', async () => {
    assert.deepEqual([codeOf(await open({ transfer_reference: 'nope' })), fieldOf(await open({ transfer_reference: 'nope' }))], ['transfer_not_found', 'transfer_reference']);
    assert.equal(codeOf(await open({ failed_transaction_id: 'FTX-nope' })), 'failed_transaction_not_found');
    const both = await open({ transfer_reference: 'ok-1', failed_transaction_id: 'FTX-nip-91' });
    assert.deepEqual([both.status, fieldOf(both)], [400, 'failed_transaction_id']);
    const noCustomer = await call(service, 'POST', '/api/v1/transactions/reversals/disputes', { transfer_reference: 'ok-1', reason: 'x' }, { token: tenant.keys['operator']! });
    assert.deepEqual([noCustomer.status, fieldOf(noCustomer)], [400, 'customer_id']);
    assert.equal((await open({ transfer_reference: 'ok-1', priority: 'urgent' })).status, 400);
    assert.equal(codeOf(await open({ transfer_reference: 'ok-1' }, undefined, 'auditor')), 'forbidden');
  });

  it('replays a POST with the same Idempotency-Key and refuses the key for another body', async () => {
    const first = await open({ transfer_reference: 'ok-1' }, 'dsp-key-1');
    const again = await open({ transfer_reference: 'ok-1' }, 'dsp-key-1');
    assert.equal(first.status, 201, first.text);
    assert.deepEqual([again.status, again.body['dispute_reference']], [201, first.body['dispute_reference']]);
    assert.equal(codeOf(await open({ transfer_reference: 'ok-2' }, 'dsp-key-1')), 'idempotency_key_reused');
  });

  it('moves open → investigating → resolved, refusing illegal moves by name, and audits each change', async () => {
    const id = String((await open({ transfer_reference: 'ok-1' })).body['dispute_reference']);
    const skip = await patch(id, { status: 'resolved', resolution: 'credited' });
    assert.deepEqual([codeOf(skip), fieldOf(skip)], ['dispute_transition_invalid', 'status']);
    const investigating = await patch(id, { status: 'investigating', assigned_to: 'ops-ada' });
    assert.deepEqual([investigating.status, investigating.body['status'], investigating.body['assigned_to']], [200, 'investigating', 'ops-ada']);
    assert.equal(codeOf(await patch(id, { status: 'open' })), 'dispute_transition_invalid');
    const unexplained = await patch(id, { status: 'resolved' });
    assert.deepEqual([codeOf(unexplained), fieldOf(unexplained)], ['invalid_request', 'resolution']);
    const resolved = await patch(id, { status: 'resolved', resolution: 'beneficiary bank confirmed the credit' });
    assert.deepEqual([resolved.status, resolved.body['status'], resolved.body['resolution']], [200, 'resolved', 'beneficiary bank confirmed the credit']);
    assert.equal(codeOf(await patch(id, { assigned_to: 'ops-bola' })), 'dispute_resolved');
    assert.equal(codeOf(await patch('DSP-2026-999999', { status: 'investigating' })), 'dispute_not_found');
    assert.equal((await patch(id, {})).status, 400);
    const audit = await call(service, 'GET', '/api/v1/audit?transaction_id=ok-1&action=dispute.updated', undefined, { token: tenant.keys['auditor']! });
    assert.ok((audit.body['data'] as unknown[]).length >= 2, audit.text);
  });

  it('lists by status, priority and assignee in cursor pages', async () => {
    const id = String((await open({ transfer_reference: 'ok-2', priority: 'high' })).body['dispute_reference']);
    assert.equal((await patch(id, { status: 'investigating', assigned_to: 'ops-chi' })).status, 200);
    const mine = await list('?assignee=ops-chi');
    assert.deepEqual((mine.body['data'] as { dispute_reference: string }[]).map((dispute) => dispute.dispute_reference), [id]);
    const investigating = (await list('?status=investigating&priority=high')).body['data'] as { status: string; priority: string }[];
    assert.ok(investigating.length >= 1 && investigating.every((dispute) => dispute.status === 'investigating' && dispute.priority === 'high'));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Response = await list(`?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      assert.equal(page.status, 200, page.text);
      seen.push(...(page.body['data'] as { dispute_reference: string }[]).map((dispute) => dispute.dispute_reference));
      cursor = page.body['next_cursor'] as string | null;
    } while (cursor !== null);
    const all = (await list('?limit=200')).body['data'] as unknown[];
    assert.equal(seen.length, all.length);
    assert.equal(new Set(seen).size, seen.length);
  });

  it('escalates an overdue case once when two runs race, with its penalty exposure and one operations notice', async () => {
    at('2026-12-02T09:00:00Z');
    const failedId = String((await readTransfer(service, tenant, 'nip-91'))['failed_transaction_id']);
    const opened = await open({ failed_transaction_id: failedId });
    const id = String(opened.body['dispute_reference']);
    const onTime = await escalateOverdueDisputes(service.runtime.deps);
    assert.equal((await list(`?status=escalated`)).body['data'] instanceof Array, true);
    assert.ok(!((await list('?status=escalated')).body['data'] as { dispute_reference: string }[]).some((dispute) => dispute.dispute_reference === id), JSON.stringify(onTime));
    clock.offsetMs = Date.parse(String(opened.body['due_at'])) + hourMs - Date.now();
    const runs = await Promise.all([escalateOverdueDisputes(service.runtime.deps), escalateOverdueDisputes(service.runtime.deps)]);
    const escalatedNow = (await list('?status=escalated&limit=200')).body['data'] as Record<string, unknown>[];
    const mine = escalatedNow.filter((dispute) => dispute['dispute_reference'] === id);
    assert.equal(mine.length, 1);
    // The NIP item is still not reversed (manual channel, no approval) long past 24 hours: ₦10,000.
    assert.equal(mine[0]!['penalty_exposure'], '10000.00');
    assert.ok(runs.reduce((sum, run) => sum + run.escalated, 0) >= 1);
    const notices = await call(service, 'GET', '/api/v1/notifications?status=due&limit=200', undefined, { token: tenant.keys['operator']! });
    const overdue = (notices.body['data'] as Record<string, unknown>[]).filter((notice) => JSON.stringify(notice).includes(id));
    assert.equal(overdue.length, 1, notices.text);
    assert.equal(overdue[0]!['template'], 'dispute.overdue');
    const again = await escalateOverdueDisputes(service.runtime.deps);
    assert.equal(again.escalated, 0);
    const audit = await call(service, 'GET', '/api/v1/audit?transaction_id=nip-91&action=dispute.escalated', undefined, { token: tenant.keys['auditor']! });
    assert.equal((audit.body['data'] as unknown[]).filter((entry) => JSON.stringify(entry).includes(id)).length, 1, audit.text);
  });

  it('escalates an overdue case by the job once: taken back to investigating, it is not escalated or notified again (D1)', async () => {
    at('2026-12-09T09:00:00Z');
    const failedId = String((await readTransfer(service, tenant, 'nip-91'))['failed_transaction_id']);
    const byJob = String((await open({ failed_transaction_id: failedId })).body['dispute_reference']);
    // Escalated by a person first: the job has not escalated it yet, so it will once, with its exposure.
    const byPerson = String((await open({ failed_transaction_id: failedId })).body['dispute_reference']);
    assert.equal((await patch(byPerson, { status: 'escalated' })).status, 200);
    assert.equal((await patch(byPerson, { status: 'investigating' })).status, 200);
    clock.offsetMs += 5 * 24 * hourMs;
    await escalateOverdueDisputes(service.runtime.deps);
    const escalated = ((await list('?status=escalated&limit=200')).body['data'] as Record<string, unknown>[]).filter((dispute) => [byJob, byPerson].includes(String(dispute['dispute_reference'])));
    assert.deepEqual(escalated.map((dispute) => dispute['penalty_exposure']), ['10000.00', '10000.00']);
    for (const id of [byJob, byPerson]) {
      const back = await patch(id, { status: 'investigating', assigned_to: 'ops-7' });
      assert.equal(back.status, 200, back.text);
    }
    // Still past the same deadline at the next runs: the cases stay with the person working them.
    for (const run of [1, 2]) {
      clock.offsetMs += hourMs;
      assert.equal((await escalateOverdueDisputes(service.runtime.deps)).escalated, 0, `run ${run}`);
    }
    const investigating = ((await list('?status=investigating&limit=200')).body['data'] as Record<string, unknown>[]).filter((dispute) => [byJob, byPerson].includes(String(dispute['dispute_reference'])));
    assert.equal(investigating.length, 2);
    const audit = await call(service, 'GET', '/api/v1/audit?transaction_id=nip-91&action=dispute.escalated&limit=200', undefined, { token: tenant.keys['auditor']! });
    const notices = await call(service, 'GET', '/api/v1/notifications?status=due&limit=200', undefined, { token: tenant.keys['operator']! });
    for (const id of [byJob, byPerson]) {
      assert.equal((audit.body['data'] as unknown[]).filter((entry) => JSON.stringify(entry).includes(id)).length, 1, `${id} escalated once`);
      assert.equal((notices.body['data'] as Record<string, unknown>[]).filter((notice) => notice['template'] === 'dispute.overdue' && JSON.stringify(notice).includes(id)).length, 1, `${id} notified once`);
    }
  });

  it('goes on escalating the other overdue cases, and flagging overdue incidents, when escalating one of them throws (D1)', async () => {
    at('2026-12-16T09:00:00Z');
    const ids: string[] = [];
    for (const key of ['dpoison-a', 'dpoison-b']) {
      const opened = await open({ transfer_reference: 'ok-2' }, key);
      assert.equal(opened.status, 201, opened.text);
      ids.push(String(opened.body['dispute_reference']));
    }
    clock.offsetMs += 10 * 24 * hourMs;
    // Whichever of the two the job reaches first cannot be committed (as a value the database refuses would).
    const failing = crashingOnce(service.runtime.deps.store,
      (changeset) => changeset.records?.some((record) => record.kind === 'dispute' && ids.includes(record.id)) ?? false, 'simulated store failure');
    const report = await escalateOverdueDisputes({ ...service.runtime.deps, store: failing });
    assert.equal(report.errors, 1, JSON.stringify(report));
    assert.match(report.errorReasons[0] ?? '', /^[^/]+\/DSP-2026-\d{6}: Error: simulated store failure$/);
    assert.equal(typeof report.overdueIncidents, 'number', 'the incidents were still examined');
    const statusOf = async (id: string): Promise<unknown> => (await service.runtime.deps.store.getRecord(tenant.tenantId as TenantId, 'dispute', id))?.body['status'];
    assert.deepEqual((await Promise.all(ids.map(statusOf))).sort(), ['escalated', 'open'], 'the case after the failing one was escalated');
    const next = await escalateOverdueDisputes(service.runtime.deps);
    assert.equal(next.errors, 0, JSON.stringify(next));
    assert.deepEqual(await Promise.all(ids.map(statusOf)), ['escalated', 'escalated']);
  });

  it('counts no penalty for an overdue case whose transfer the status query found paid: it was never a failed item', async () => {
    at('2026-12-07T09:00:00Z');
    assert.equal((await toBank(service, tenant, 'paid-nip', 'alice', '0123456700', '300.00', { channel: 'nip' })).status, 201);
    const opened = await open({ transfer_reference: 'paid-nip' });
    assert.equal(opened.status, 201, opened.text);
    const id = String(opened.body['dispute_reference']);
    // The sweep asks the switch about the reported transfer: credited, so nothing to reverse.
    await detectFailures(service.runtime.deps);
    const failed = await service.runtime.deps.store.getRecord(tenant.tenantId as TenantId, 'failed_transaction', String(opened.body['failed_transaction_id']));
    assert.equal(failed?.body['status'], 'resolved');
    // Days past the deadline, and far past the 24 hours the penalty counts from.
    clock.offsetMs = Date.parse(String(opened.body['due_at'])) + 48 * hourMs - Date.now();
    await escalateOverdueDisputes(service.runtime.deps);
    const escalated = ((await list('?status=escalated&limit=200')).body['data'] as Record<string, unknown>[]).find((dispute) => dispute['dispute_reference'] === id);
    assert.equal(escalated?.['status'], 'escalated', 'still overdue for the customer');
    assert.equal(escalated['penalty_exposure'], '0.00');
  });
});

/** A store that dies once, at the commit that would record the switch's answer to a transfer. */
function crashingAtAnswer(store: Store): Store {
  let armed = true;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'commit') {
        return async (changeset: Changeset) => {
          if (armed && (changeset.records?.some((record) => record.kind === 'transfer' && record.expectedVersion > 0) ?? false)) {
            armed = false;
            throw new Error('simulated crash after the switch answered, before the answer was recorded');
          }
          return target.commit(changeset);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('disputes from customer reports (V2)', () => {
  let service: TestService;
  let tenant: Tenant;
  const rail = new ControlledSwitch();
  before(async () => {
    service = await startService({ interbank: rail });
    // Even a tenant that lists customer reports among its automatic reversals never reverses on a report alone.
    tenant = await createTenant(service, 'Reporting customers bank', { reversal_auto_failure_types: ['customer_report', 'system_glitch', 'timeout'] });
    await fundedCustomer(service, tenant, 'dayo', '100000.00');
    await fundedCustomer(service, tenant, 'emeka', '10.00');
  });
  afterEach(async () => {
    rail.silentQueries = false;
    await assertLedgerBalances(service.runtime.deps.store);
  });
  after(async () => service.close());
  const report = (reference: string, key?: string): Promise<Response> =>
    call(service, 'POST', '/api/v1/transactions/reversals/disputes', { transfer_reference: reference, customer_id: 'cust-7', reason: 'my beneficiary says nothing arrived' },
      { token: tenant.keys['operator']!, ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }) });
  const failedOf = async (reference: string): Promise<Record<string, unknown> | null> =>
    (await service.runtime.deps.store.getRecord(tenant.tenantId as TenantId, 'failed_transaction', `FTX-${reference}`))?.body ?? null;
  const reversalsOf = async (reference: string): Promise<unknown[]> => {
    const listed = await call(service, 'GET', '/api/v1/transactions/reversals?limit=200', undefined, { token: tenant.keys['operator']! });
    return (listed.body['data'] as { transfer_reference: string }[]).filter((item) => item.transfer_reference === reference);
  };
  const voidsOf = async (reference: string): Promise<number> =>
    (await service.runtime.deps.store.listTransactionTransfers(tenant.tenantId as TenantId, reference)).filter((item) => item.kind === 'void_pending').length;

  it('does not reverse a successful transfer a customer reports: the status query finds it credited', async () => {
    assert.equal((await toBank(service, tenant, 'paid-1', 'dayo', '0123456700', '2500.00')).status, 201);
    const before = await balances(service, tenant, 'dayo');
    const opened = await report('paid-1');
    assert.equal(opened.status, 201, opened.text);
    assert.deepEqual([opened.body['failed_transaction_id'], opened.body['detection_method'], opened.body['status']], ['FTX-paid-1', 'customer_report', 'open']);
    const failed = await failedOf('paid-1');
    assert.deepEqual([failed?.['failure_type'], failed?.['detection_method'], failed?.['status']], ['customer_report', 'customer_report', 'resolved']);
    const paid = await readTransfer(service, tenant, 'paid-1');
    assert.deepEqual([paid['transfer_status'], paid['failed_transaction_id']], ['TRANSFER-SUCCESS', 'FTX-paid-1']);
    assert.deepEqual(await reversalsOf('paid-1'), []);
    assert.equal(await voidsOf('paid-1'), 0);
    assert.deepEqual(await balances(service, tenant, 'dayo'), before);
    const checked = await call(service, 'GET', '/api/v1/audit?transaction_id=paid-1&action=failure.customer_report_checked', undefined, { token: tenant.keys['auditor']! });
    assert.equal((checked.body['data'] as unknown[]).length, 1, checked.text);
  });

  it('leaves a report the switch cannot answer under investigation, for the detection sweep to decide', async () => {
    assert.equal((await toBank(service, tenant, 'paid-3', 'dayo', '0123456700', '120.00')).status, 201);
    rail.silentQueries = true;
    assert.equal((await report('paid-3')).status, 201);
    assert.equal((await failedOf('paid-3'))?.['status'], 'investigating');
    const silent = await detectFailures(service.runtime.deps, { tenantId: tenant.tenantId as TenantId });
    assert.equal(silent.customerReportsChecked, 0);
    rail.silentQueries = false;
    const sweeps = await Promise.all([detectFailures(service.runtime.deps, { tenantId: tenant.tenantId as TenantId }), detectFailures(service.runtime.deps, { tenantId: tenant.tenantId as TenantId })]);
    assert.equal(sweeps[0].customerReportsChecked + sweeps[1].customerReportsChecked, 1);
    assert.equal((await failedOf('paid-3'))?.['status'], 'resolved');
    assert.equal((await readTransfer(service, tenant, 'paid-3'))['transfer_status'], 'TRANSFER-SUCCESS');
    assert.deepEqual(await reversalsOf('paid-3'), []);
  });

  it('reverses a reported transfer that really failed once, through the status query and the normal rules', async () => {
    const principal = { kind: 'api_key' as const, tenantId: tenant.tenantId as TenantId, apiKeyId: 'key_TEST' as ApiKeyId, role: 'service' as const };
    const crashed = createTransfer({ ...service.runtime.deps, store: crashingAtAnswer(service.runtime.deps.store) }, principal, {
      reference: 'lost-91', senderAccountId: 'dayo', receiver: { bankCode: '999', accountNumber: '0123456791', accountName: 'Ada Obi' }, amount: '60.00', currency: 'NGN',
    });
    await assert.rejects(crashed, /simulated crash/);
    const before = await balances(service, tenant, 'dayo');
    const opened = await report('lost-91');
    assert.equal(opened.status, 201, opened.text);
    const reported = await failedOf('lost-91');
    assert.deepEqual([reported?.['failure_type'], reported?.['status']], ['customer_report', 'investigating']);
    assert.equal((await readTransfer(service, tenant, 'lost-91'))['transfer_status'], 'TRANSFER-PENDING');
    await Promise.all([requeryPendingTransfers(service.runtime.deps), requeryPendingTransfers(service.runtime.deps)]);
    await requeryPendingTransfers(service.runtime.deps);
    assert.equal((await readTransfer(service, tenant, 'lost-91'))['transfer_status'], 'TRANSFER-REVERSED');
    assert.equal(await voidsOf('lost-91'), 1);
    assert.equal((await reversalsOf('lost-91')).length, 1);
    const settled = await failedOf('lost-91');
    // The switch's answer decided it: a system glitch (91), found by a customer's report.
    assert.deepEqual([settled?.['failure_type'], settled?.['detection_method'], settled?.['status']], ['system_glitch', 'customer_report', 'reversed']);
    const after = await balances(service, tenant, 'dayo');
    assert.equal(Number(after.available), Number(before.available) + 60);
    const dispute = await call(service, 'GET', '/api/v1/transactions/reversals/disputes?limit=200', undefined, { token: tenant.keys['operator']! });
    const mine = (dispute.body['data'] as Record<string, unknown>[]).find((item) => item['dispute_reference'] === opened.body['dispute_reference']);
    assert.equal(mine?.['status'], 'open', 'the dispute stays for operations to close');
  });

  it('resolves a reported internal transfer that completed without reversing it; the dispute stays open', async () => {
    assert.equal((await transfer(service, tenant, { reference: 'int-1', sender_account_id: 'dayo', receiver: { account_id: 'emeka' }, amount: '40.00' })).status, 201);
    const opened = await report('int-1');
    assert.deepEqual([opened.status, opened.body['status'], opened.body['failed_transaction_id']], [201, 'open', 'FTX-int-1']);
    const failed = await failedOf('int-1');
    assert.deepEqual([failed?.['failure_type'], failed?.['status']], ['customer_report', 'resolved']);
    assert.equal((await readTransfer(service, tenant, 'int-1'))['transfer_status'], 'TRANSFER-SUCCESS');
    assert.equal((await balances(service, tenant, 'emeka')).posted, '50.00');
  });

  it('opens one failed transaction when two customers report the same transfer at once, and replays a report', async () => {
    assert.equal((await toBank(service, tenant, 'paid-2', 'dayo', '0123456700', '300.00')).status, 201);
    const [first, second] = await Promise.all([report('paid-2'), report('paid-2')]);
    assert.deepEqual([first.status, second.status], [201, 201], `${first.text} ${second.text}`);
    assert.notEqual(first.body['dispute_reference'], second.body['dispute_reference']);
    assert.deepEqual([first.body['failed_transaction_id'], second.body['failed_transaction_id']], ['FTX-paid-2', 'FTX-paid-2']);
    const audit = await call(service, 'GET', '/api/v1/audit?transaction_id=paid-2&action=failure.customer_report', undefined, { token: tenant.keys['auditor']! });
    assert.equal((audit.body['data'] as unknown[]).length, 1, audit.text);
    const replayed = await Promise.all([report('paid-2', 'cr-key'), report('paid-2', 'cr-key')]);
    assert.equal(replayed[0].body['dispute_reference'], replayed[1].body['dispute_reference']);
    assert.deepEqual(await reversalsOf('paid-2'), []);
  });
});

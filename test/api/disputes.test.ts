// Disputes through the real HTTP server (D1): a customer report opens a case with a
// unique DSP reference and a deadline from the tenant's timeline rules and calendar
// (weekends and holiday overrides skipped); the lifecycle refuses illegal moves by name;
// every change is audited; Idempotency-Key replays; the escalation job escalates an
// overdue case once, even run twice at once, with its penalty exposure and one
// operations notice.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Response, type Tenant } from '../support/client.ts';
import { fundedCustomer, readTransfer, toBank } from '../support/transfers.ts';
import { escalateOverdueDisputes } from '../../src/app/disputes/escalate-disputes.ts';

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
});

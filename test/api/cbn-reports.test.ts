// The CBN reversal report through the HTTP API (D2): a month's failures, automatic and
// manual reversals, within and beyond the CBN's 24-hour NIP timeline, recounted here from
// the raw failed-transaction and reversal records; JSON and CSV; draft → submitted
// (frozen) → acknowledged with the CBN's reference, each step once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Response, type Tenant } from '../support/client.ts';
import { reversalCalls } from '../support/reversals.ts';
import { fundedCustomer, readTransfer, toBank } from '../support/transfers.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import type { TenantId } from '../../src/domain/ids.ts';

const hourMs = 60 * 60 * 1000;
const codeOf = (answer: Response): unknown => (answer.body['error'] as Record<string, unknown> | undefined)?.['code'];

describe('CBN reversal report', () => {
  // November 2026 in Lagos, whatever the real date: the report's month must not move under the test.
  const startedAt = Date.now();
  const clock = { offsetMs: 0, now: () => Date.parse('2026-11-02T09:00:00+01:00') + (Date.now() - startedAt) + clock.offsetMs };
  let service: TestService;
  let tenant: Tenant;
  const report = (query = '?period=2026-11', headers: Record<string, string> = {}) =>
    call(service, 'GET', `/api/v1/transactions/reversals/compliance/cbn${query}`, undefined, { token: tenant.keys['auditor'] ?? '', headers });

  before(async () => {
    service = await startService({ clock });
    tenant = await createTenant(service, 'Reporting bank', { reversal_manual_channels: ['branch'], dispute_timelines: { preset: 'cbn' } });
    await fundedCustomer(service, tenant, 'ada', '100000.00');
    const api = reversalCalls(service, tenant);
    assert.equal((await toBank(service, tenant, 'ok-1', 'ada', '0123456700', '100.00')).status, 201);
    assert.equal((await toBank(service, tenant, 'auto-1', 'ada', '0123456796', '200.00')).status, 502);
    for (const reference of ['manual-late', 'manual-open']) {
      assert.equal((await toBank(service, tenant, reference, 'ada', '0123456791', '300.00', { channel: 'branch' })).status, 502);
    }
    clock.offsetMs = 30 * hourMs;
    const late = String((await readTransfer(service, tenant, 'manual-late'))['reversal_id']);
    assert.equal((await api.approve(late)).status, 200);
  });
  after(async () => {
    await assertLedgerBalances(service.runtime.deps.store);
    await service.close();
  });

  it('counts the month as the raw records say', async () => {
    const answer = await report();
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body['status'], 'draft');
    const figures = answer.body['figures'] as Record<string, unknown>;
    assert.deepEqual(figures, {
      total_failures: 3, resolved_as_success: 0, automatic_reversals: 1, manual_reversals: 1,
      reversed_within_timeline: 1, reversed_beyond_timeline: 1, pending_within_timeline: 0, pending_beyond_timeline: 1,
      reversed_amount: '500.00', penalty_exposure: '20000.00', currency: 'NGN', compliance_rate: 0.3333, reversed_amounts: { NGN: '500.00' },
    });
    // The recount: every failed transaction and its reversal straight from the store, 24 hours each.
    const { store } = service.runtime.deps;
    const tenantId = tenant.tenantId as TenantId;
    const failed = (await store.listRecords(tenantId, 'failed_transaction', { limit: 200 })).items;
    const reversals = new Map((await store.listRecords(tenantId, 'reversal', { limit: 200 })).items.map((record) => [record.id, record]));
    let automatic = 0, manual = 0, within = 0, beyond = 0, pendingBeyond = 0;
    for (const record of failed) {
      const reversalId = record.body['reversal_id'];
      const reversal = typeof reversalId === 'string' ? reversals.get(reversalId) : undefined;
      const completed = reversal?.body['status'] === 'COMPLETED';
      if (!completed) {
        if (clock.now() > record.createdAt + 24 * hourMs) pendingBeyond++;
        continue;
      }
      if (reversal.body['mode'] === 'automatic') automatic++;
      else manual++;
      if (reversal.updatedAt <= record.createdAt + 24 * hourMs) within++;
      else beyond++;
    }
    assert.deepEqual([failed.length, automatic, manual, within, beyond, pendingBeyond], [
      figures['total_failures'], figures['automatic_reversals'], figures['manual_reversals'],
      figures['reversed_within_timeline'], figures['reversed_beyond_timeline'], figures['pending_beyond_timeline'],
    ]);
  });

  it('exports the same figures as CSV', async () => {
    const answer = await report('?period=2026-11', { accept: 'text/csv' });
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^text\/csv/);
    const [header, row] = answer.text.trim().split('\r\n').map((line) => line.split(','));
    const values = Object.fromEntries((header ?? []).map((name, index) => [name, row?.[index]]));
    assert.deepEqual([values['report_id'], values['status'], values['total_failures'], values['penalty_exposure'], values['compliance_rate']], ['CBN-2026-11', 'draft', '3', '20000.00', '0.3333']);
  });

  it('freezes the figures on submission and records the acknowledgement once', async () => {
    const submit = () => call(service, 'POST', '/api/v1/transactions/reversals/compliance/cbn/CBN-2026-11/submit', undefined, { token: tenant.keys['auditor'] ?? '' });
    const acknowledge = () => call(service, 'POST', '/api/v1/transactions/reversals/compliance/cbn/CBN-2026-11/acknowledge', { reference: 'CBN/RR/2026/11/0042' }, { token: tenant.adminKey });
    assert.equal(codeOf(await acknowledge()), 'cbn_report_not_submitted');
    const submitted = await submit();
    assert.equal(submitted.status, 200, submitted.text);
    assert.equal(submitted.body['status'], 'submitted');
    assert.equal(codeOf(await submit()), 'cbn_report_submitted');
    assert.equal((await toBank(service, tenant, 'auto-2', 'ada', '0123456796', '50.00')).status, 502);
    const frozen = await report();
    assert.deepEqual([frozen.body['status'], (frozen.body['figures'] as Record<string, unknown>)['total_failures']], ['submitted', 3]);
    const acknowledged = await acknowledge();
    assert.deepEqual([acknowledged.status, acknowledged.body['status'], acknowledged.body['cbn_reference']], [200, 'acknowledged', 'CBN/RR/2026/11/0042']);
    assert.equal(codeOf(await acknowledge()), 'cbn_report_not_submitted');
    const audit = await call(service, 'GET', '/api/v1/audit?action=cbn_report.submitted', undefined, { token: tenant.keys['auditor'] ?? '' });
    assert.equal((audit.body['data'] as unknown[]).length, 1);
  });

  it('adds only naira into the naira figures: reversals in other currencies are counted and summed per currency', async () => {
    const other = await createTenant(service, 'Multi-currency bank', { dispute_timelines: { preset: 'cbn' } });
    await fundedCustomer(service, other, 'naira', '1000.00');
    await fundedCustomer(service, other, 'dollar', '1000.00', 'USD');
    await fundedCustomer(service, other, 'yen', '100000', 'JPY');
    assert.equal((await toBank(service, other, 'cur-ngn', 'naira', '0123456796', '100.00')).status, 502);
    assert.equal((await toBank(service, other, 'cur-usd', 'dollar', '0123456796', '100.00', { currency: 'USD' })).status, 502);
    assert.equal((await toBank(service, other, 'cur-jpy', 'yen', '0123456796', '5000', { currency: 'JPY' })).status, 502);
    const answer = await call(service, 'GET', '/api/v1/transactions/reversals/compliance/cbn?period=2026-11', undefined, { token: other.keys['auditor'] ?? '' });
    assert.equal(answer.status, 200, answer.text);
    const figures = answer.body['figures'] as Record<string, unknown>;
    // ₦100.00, $100.00 and ¥5000 reversed at once: three failures, three reversals, but 100.00 naira, not 250.00.
    assert.deepEqual([figures['total_failures'], figures['automatic_reversals'], figures['reversed_within_timeline']], [3, 3, 3]);
    assert.deepEqual([figures['reversed_amount'], figures['currency'], figures['penalty_exposure']], ['100.00', 'NGN', '0.00']);
    assert.deepEqual(figures['reversed_amounts'], { JPY: '5000', NGN: '100.00', USD: '100.00' });
    const csv = await call(service, 'GET', '/api/v1/transactions/reversals/compliance/cbn?period=2026-11', undefined, { token: other.keys['auditor'] ?? '', headers: { accept: 'text/csv' } });
    const [header, row] = csv.text.trim().split('\r\n').map((line) => line.split(','));
    assert.equal(row?.[(header ?? []).indexOf('reversed_amount')], '100.00');
  });

  it('refuses a bad period, an unknown report and roles outside compliance', async () => {
    assert.deepEqual([(await report('?period=2026-13')).status, codeOf(await report('?period=2026-13'))], [400, 'invalid_request']);
    assert.equal(codeOf(await call(service, 'POST', '/api/v1/transactions/reversals/compliance/cbn/CBN-nope/submit', undefined, { token: tenant.adminKey })), 'cbn_report_not_found');
    for (const role of ['operator', 'approver', 'service']) {
      assert.equal((await call(service, 'GET', '/api/v1/transactions/reversals/compliance/cbn?period=2026-11', undefined, { token: tenant.keys[role] ?? '' })).status, 403, role);
    }
  });
});

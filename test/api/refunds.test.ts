// Refunds through the HTTP API (R1–R5, R8): full and partial refunds, the fee and tax
// arithmetic, the seed-001 reply, replays, a processor decline, a refund left pending and
// settled by the requery job, and a rollback. The ledger balances after every test.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { laggingStore } from '../support/lagging-store.ts';
import { accountBalance, ledger, paid, payment, refund } from '../support/refunds.ts';
import { requeryPendingRefunds } from '../../src/app/refunds/requery-refunds.ts';
import { rollBackRefund } from '../../src/app/refunds/roll-back-refund.ts';
import type { ApiKeyId, TenantId } from '../../src/domain/ids.ts';

describe('refunds over HTTP', () => {
  let service: TestService;
  let tenant: Tenant;
  before(async () => {
    service = await startService();
    tenant = await createTenant(service);
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => service.close());

  it('refunds a payment in full with the seed-001 body and its own ledger entries', async () => {
    await paid(service, tenant, 'full-1');
    const refunded = await refund(service, tenant, 'full-1', {});
    assert.equal(refunded.status, 200, refunded.text);
    assert.equal(refunded.body['message'], 'Refund processed successfully.');
    assert.equal(refunded.body['refund_transaction_id'], 'full-1-REFUND');
    assert.equal(refunded.body['status'], 'success');
    assert.equal(typeof refunded.body['processor_message'], 'string');
    assert.equal((refunded.body['refund'] as { amount: string }).amount, '100.00');
    const after = await payment(service, tenant, 'full-1');
    assert.deepEqual([after['status'], after['refunded'], after['refundable']], ['REFUNDED', '100.00', '0.00']);
    const read = await call(service, 'GET', '/api/v1/refunds/full-1-REFUND', undefined, { token: tenant.keys['operator']! });
    assert.equal(read.status, 200, read.text);
    assert.deepEqual((read.body['entries'] as { status: string }[]).map((entry) => entry.status), ['REFUND-PENDING', 'PAYMENT-SUCCESS']);
    const history = await ledger(service, tenant, 'full-1');
    assert.deepEqual(history.entries.map((entry) => entry.status), ['PAYMENT-INITIATED', 'PAYMENT-PENDING', 'PAYMENT-SUCCESS', 'REFUNDED']);
    assert.deepEqual(history.transfers.filter((transfer) => transfer.code === 'refund').map((transfer) => transfer.kind), ['pending', 'post_pending']);
  });

  it('audits the read of every ledger entry that decided the refund, the earlier refunds\' too (R1)', async () => {
    await paid(service, tenant, 'r1-read');
    assert.equal((await refund(service, tenant, 'r1-read', { amount: '10.00' })).status, 200);
    assert.equal((await refund(service, tenant, 'r1-read', { amount: '5.00' })).status, 200);
    const audit = await call(service, 'GET', '/api/v1/audit?transaction_id=r1-read&limit=50', undefined, { token: tenant.keys['auditor']! });
    assert.equal(audit.status, 200, audit.text);
    type EntriesRead = { entries: { status: string }[]; refund_entries: { refund_transaction_id: string; entries: { status: string }[] }[] };
    const records = audit.body['data'] as { action: string; details?: { query?: { purpose?: string }; response?: EntriesRead } }[];
    const reads = records.filter((record) => record.action === 'ledger.read' && record.details?.query?.purpose === 'refund');
    const decided = reads[0];
    assert.ok(decided !== undefined, `no audited decision read in ${JSON.stringify(records.map((record) => record.action))}`);
    // The second refund was decided on the first one's entries too, kept under its own id.
    const second = reads[1]?.details?.response;
    assert.deepEqual(second?.refund_entries.map((earlier) => [earlier.refund_transaction_id, earlier.entries.map((entry) => entry.status)]),
      [['r1-read-REFUND', ['REFUND-PENDING', 'PAYMENT-SUCCESS']]], JSON.stringify(second));
    const actions = records.map((record) => record.action);
    for (const action of ['refund.requested', 'refund.succeeded']) assert.ok(actions.includes(action), `${action} missing from ${actions.join(', ')}`);
  });

  it('makes any number of partial refunds and returns fee and tax so the parts sum to the whole (R3, R4)', async () => {
    const own = await createTenant(service, 'Fees refunded', { fee_refund_policy: 'refund' });
    await paid(service, own, 'thirds', { fees: [{ type: 'fee', amount: '1.50' }, { type: 'tax', amount: '0.75' }] });
    const parts: { id: string; tax: string; fee: string }[] = [];
    for (const amount of ['33.33', '33.33', '33.34']) {
      const refunded = await refund(service, own, 'thirds', { amount });
      assert.equal(refunded.status, 200, refunded.text);
      const view = refunded.body['refund'] as { tax_returned: string; fee_returned: string };
      parts.push({ id: String(refunded.body['refund_transaction_id']), tax: view.tax_returned, fee: view.fee_returned });
      const status = (await payment(service, own, 'thirds'))['status'];
      assert.equal(status, parts.length < 3 ? 'PARTIALLY-REFUNDED' : 'REFUNDED');
    }
    // Cumulative floor: floor(75 × 3333/10000) = 24, floor(75 × 6666/10000) = 49, then 75.
    assert.deepEqual(parts, [
      { id: 'thirds-REFUND', tax: '0.24', fee: '0.49' },
      { id: 'thirds-REFUND-2', tax: '0.25', fee: '0.50' },
      { id: 'thirds-REFUND-3', tax: '0.26', fee: '0.51' },
    ]);
    for (const account of ['sys:merchant:default:NGN', 'sys:fee_revenue:NGN', 'sys:tax_payable:NGN']) {
      assert.equal((await accountBalance(service, own, account))['posted'], '0.00', `${account} is back to zero`);
    }
    const listed = await call(service, 'GET', '/api/v1/payments/thirds/refunds', undefined, { token: own.keys['operator']! });
    assert.deepEqual((listed.body['data'] as { refund_transaction_id: string }[]).map((item) => item.refund_transaction_id), parts.map((part) => part.id));
  });

  it('keeps the fee by default and returns the whole tax on a full refund (R4)', async () => {
    const own = await createTenant(service, 'Default policy');
    await paid(service, own, 'keep-fee', { fees: [{ type: 'fee', amount: '1.50' }, { type: 'tax', amount: '0.75' }] });
    const refunded = await refund(service, own, 'keep-fee', {});
    const view = refunded.body['refund'] as { tax_returned: string; fee_returned: string; amount: string };
    assert.deepEqual([view.amount, view.tax_returned, view.fee_returned], ['100.00', '0.75', '0.00']);
    assert.equal((await accountBalance(service, own, 'sys:merchant:default:NGN'))['posted'], '-1.50', 'the merchant bears the kept fee');
    assert.equal((await accountBalance(service, own, 'sys:fee_revenue:NGN'))['posted'], '1.50');
    assert.equal((await accountBalance(service, own, 'sys:tax_payable:NGN'))['posted'], '0.00');
  });

  it('returns fee and tax shares only on what was refunded under policies that return them, across a policy change (R4)', async () => {
    const own = await createTenant(service, 'Policy changes', { fee_refund_policy: 'keep', tax_refund_policy: 'keep' });
    await paid(service, own, 'switched', { fees: [{ type: 'fee', amount: '10.00' }, { type: 'tax', amount: '5.00' }] });
    const shares = async (amount?: string): Promise<string[]> => {
      const refunded = await refund(service, own, 'switched', amount === undefined ? {} : { amount });
      assert.equal(refunded.status, 200, refunded.text);
      const view = refunded.body['refund'] as { fee_returned: string; tax_returned: string };
      return [view.fee_returned, view.tax_returned];
    };
    assert.deepEqual(await shares('90.00'), ['0.00', '0.00'], 'both kept');
    const patched = await call(service, 'PATCH', '/api/v1/settings', { fee_refund_policy: 'refund', tax_refund_policy: 'proportional' }, { token: own.keys['admin']! });
    assert.equal(patched.status, 200, patched.text);
    // The 90.00 refunded while both were kept earns no share later: 1.00 returns 1% of each.
    assert.deepEqual(await shares('1.00'), ['0.10', '0.05']);
    assert.deepEqual(await shares(), ['0.90', '0.45']);
    // Merchant: 85.00 settled − 100.00 refunded + 1.00 fee + 0.50 tax returned.
    for (const [account, posted] of [['sys:merchant:default:NGN', '-13.50'], ['sys:fee_revenue:NGN', '9.00'], ['sys:tax_payable:NGN', '4.50']] as const) {
      assert.equal((await accountBalance(service, own, account))['posted'], posted, account);
    }
  });

  it('replays the first answer byte for byte under the same Idempotency-Key, and refuses the key with another body (R6)', async () => {
    await paid(service, tenant, 'replay-1');
    const first = await refund(service, tenant, 'replay-1', { amount: '5.00' }, 'refund-key-1');
    const again = await refund(service, tenant, 'replay-1', { amount: '5.00' }, 'refund-key-1');
    assert.equal(first.status, 200, first.text);
    assert.equal(again.status, 200);
    assert.equal(again.text, first.text);
    assert.equal(again.headers.get('idempotency-replayed'), 'true');
    assert.equal(first.headers.get('idempotency-replayed'), null);
    const other = await refund(service, tenant, 'replay-1', { amount: '6.00' }, 'refund-key-1');
    assert.equal(other.status, 409, other.text);
    assert.equal((other.body['error'] as { code: string }).code, 'idempotency_key_reused');
    assert.equal((await payment(service, tenant, 'replay-1'))['refunded'], '5.00');
  });

  it('keeps a declined refund as FAILED with the processor reason and releases its hold (R5)', async () => {
    await paid(service, tenant, 'declined-1', { cardNumber: '4000000000005126', fees: [{ type: 'tax', amount: '1.00' }] });
    const declined = await refund(service, tenant, 'declined-1', { amount: '40.00' });
    assert.equal(declined.status, 502, declined.text);
    assert.equal(declined.body['status'], 'failed');
    assert.equal((declined.body['error'] as { code: string }).code, 'processor_declined');
    assert.match(String(declined.body['processor_message']), /\S/);
    const after = await payment(service, tenant, 'declined-1');
    assert.deepEqual([after['status'], after['refunded'], after['refundable'], after['refunds_pending']], ['PAYMENT-SUCCESS', '0.00', '100.00', '0.00']);
    const read = await call(service, 'GET', '/api/v1/refunds/declined-1-REFUND', undefined, { token: tenant.keys['operator']! });
    assert.equal(read.body['status'], 'failed');
    assert.deepEqual((read.body['entries'] as { status: string }[]).map((entry) => entry.status), ['REFUND-PENDING', 'PAYMENT-FAILED']);
    const kinds = (await ledger(service, tenant, 'declined-1')).transfers.filter((transfer) => transfer.code.startsWith('refund')).map((transfer) => transfer.kind);
    assert.deepEqual(kinds.sort(), ['pending', 'pending', 'void_pending', 'void_pending']);
    // The next refund gets the next id; the failed one stays.
    const next = await refund(service, tenant, 'declined-1', { amount: '1.00' });
    assert.equal(next.body['refund_transaction_id'], 'declined-1-REFUND-2');
  });

  it('answers 202 pending when the processor does not answer, and the requery job settles it (R5)', async () => {
    await paid(service, tenant, 'late-1', { cardNumber: '4000000000007726' });
    const pending = await refund(service, tenant, 'late-1', { amount: '30.00' }, 'late-key');
    assert.equal(pending.status, 202, pending.text);
    assert.equal(pending.body['status'], 'pending');
    assert.equal((await payment(service, tenant, 'late-1'))['refunds_pending'], '30.00');
    const report = await requeryPendingRefunds(service.runtime.deps);
    assert.ok(report.settled >= 1, JSON.stringify(report));
    const read = await call(service, 'GET', '/api/v1/refunds/late-1-REFUND', undefined, { token: tenant.keys['operator']! });
    assert.equal(read.body['status'], 'success', read.text);
    const after = await payment(service, tenant, 'late-1');
    assert.deepEqual([after['status'], after['refunded'], after['refunds_pending']], ['PARTIALLY-REFUNDED', '30.00', '0.00']);
    const replay = await refund(service, tenant, 'late-1', { amount: '30.00' }, 'late-key');
    assert.equal(replay.text, pending.text, 'a replay returns the first answer, even after settlement');
  });

  it('rolls back a wrong refund with compensating entries, approver and reason required (R8)', async () => {
    await paid(service, tenant, 'undo-1', { fees: [{ type: 'tax', amount: '2.00' }] });
    assert.equal((await refund(service, tenant, 'undo-1', { amount: '50.00' })).status, 200);
    const path = '/api/v1/refunds/undo-1-REFUND/rollback';
    const byService = await call(service, 'POST', path, { reason: 'refunded the wrong order' }, { token: tenant.keys['service']! });
    assert.equal(byService.status, 403, byService.text);
    const noReason = await call(service, 'POST', path, {}, { token: tenant.keys['approver']! });
    assert.equal(noReason.status, 400, noReason.text);
    assert.equal((noReason.body['error'] as { field: string }).field, 'reason');
    const undone = await call(service, 'POST', path, { reason: 'refunded the wrong order' }, { token: tenant.keys['approver']! });
    assert.equal(undone.status, 200, undone.text);
    assert.equal(undone.body['status'], 'rolled_back');
    const after = await payment(service, tenant, 'undo-1');
    assert.deepEqual([after['status'], after['refunded'], after['refundable']], ['PAYMENT-SUCCESS', '0.00', '100.00']);
    const refundTransfers = (await ledger(service, tenant, 'undo-1')).transfers.filter((transfer) => transfer.code.startsWith('refund'));
    assert.equal(refundTransfers.filter((transfer) => transfer.code.endsWith('_rollback')).length, 2, 'principal and tax compensated');
    assert.equal(refundTransfers.filter((transfer) => transfer.kind === 'post_pending').length, 2, 'the original postings stay');
    const again = await call(service, 'POST', path, { reason: 'twice' }, { token: tenant.keys['approver']! });
    assert.equal(again.status, 422, again.text);
    assert.equal((again.body['error'] as { code: string }).code, 'refund_not_rollbackable');
    const audit = await call(service, 'GET', '/api/v1/audit?transaction_id=undo-1&limit=100', undefined, { token: tenant.keys['auditor']! });
    const actions = (audit.body['data'] as { action: string }[]).map((record) => record.action);
    assert.ok(actions.includes('refund.succeeded') && actions.includes('refund.rolled_back'), actions.join(', '));
    assert.equal((await refund(service, tenant, 'undo-1', {})).body['refund_transaction_id'], 'undo-1-REFUND-2', 'refundable again');
  });

  it('answers a rollback that read its refund just before another process rolled it back with the refusal, not a 500 (R8)', async () => {
    await paid(service, tenant, 'undo-race');
    assert.equal((await refund(service, tenant, 'undo-race', { amount: '40.00' })).status, 200);
    const tenantId = tenant.tenantId as TenantId;
    const store = service.runtime.deps.store;
    const stale = await store.getRecord(tenantId, 'refund', 'undo-race-REFUND');
    assert.ok(stale !== null);
    // The other process's rollback commits first…
    const undone = await call(service, 'POST', '/api/v1/refunds/undo-race-REFUND/rollback', { reason: 'refunded the wrong order' }, { token: tenant.keys['approver']! });
    assert.equal(undone.status, 200, undone.text);
    // …and this one had read the refund before it, and reads the payment after it.
    const lagging = laggingStore(store, 'refund', stale, 2); // the route's read, then the decision's
    const principal = { kind: 'api_key' as const, tenantId, apiKeyId: 'key_SECOND' as ApiKeyId, role: 'approver' as const };
    const answer = await rollBackRefund({ ...service.runtime.deps, store: lagging }, principal, { refundId: 'undo-race-REFUND', reason: 'twice at once' }, null);
    assert.deepEqual(answer.ok ? null : answer.code, 'refund_not_rollbackable');
    assert.equal((await payment(service, tenant, 'undo-race'))['refunded'], '0.00');
  });
});

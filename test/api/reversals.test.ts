// Reversals through the real HTTP server (V2–V5): tenant rules choose automatic or manual;
// manual reversals are maker-checker with a manager above the high-value threshold;
// every refusal code; replays by Idempotency-Key; escalation after the status-query
// limit, with a last status query before approval. The ledger balances after every test.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Response, type Tenant } from '../support/client.ts';
import { reversalCalls } from '../support/reversals.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { laggingStore } from '../support/lagging-store.ts';
import { ControlledSwitch } from '../support/controlled-switch.ts';
import { balances, fundedCustomer, readTransfer, toBank } from '../support/transfers.ts';
import { requeryPendingTransfers } from '../../src/app/transfers/requery-transfers.ts';
import { approveReversal } from '../../src/app/reversals/decide-reversal.ts';
import type { ApiKeyId, TenantId } from '../../src/domain/ids.ts';

const codeOf = (answer: Response): string => (answer.body['error'] as { code: string } | undefined)?.code ?? `(${answer.status})`;

describe('reversals', () => {
  let service: TestService;
  let tenant: Tenant;
  let api: ReturnType<typeof reversalCalls>;
  const rail = new ControlledSwitch();
  before(async () => {
    service = await startService({ interbank: rail, environment: { CONTRA_REQUERY_ATTEMPTS_MAX: '2', CONTRA_PROCESSOR_TIMEOUT_MS: '300' } });
    tenant = await createTenant(service, 'Reversal bank', { reversal_manual_channels: ['branch'], reversal_manager_threshold: '10000.00' });
    api = reversalCalls(service, tenant);
    await fundedCustomer(service, tenant, 'alice', '1000000.00');
  });
  afterEach(async () => {
    rail.silentQueries = false;
    rail.hangTransfers = false;
    await assertLedgerBalances(service.runtime.deps.store);
  });
  after(async () => service.close());

  /** A transfer from the branch channel that the bank refuses (91): its reversal waits for a person. */
  async function manualCase(reference: string, amount = '300.00'): Promise<string> {
    const answer = await toBank(service, tenant, reference, 'alice', '0123456791', amount, { channel: 'branch' });
    assert.equal(answer.status, 502, answer.text);
    const read = await readTransfer(service, tenant, reference);
    assert.equal(read['transfer_status'], 'TRANSFER-FAILED');
    return String(read['reversal_id']);
  }

  /** A transfer whose status queries never get an answer, escalated after the limit (2). */
  async function escalatedCase(reference: string, account = '0123456097'): Promise<void> {
    rail.silentQueries = true;
    const answer = await toBank(service, tenant, reference, 'alice', account, '200.00');
    assert.equal(answer.status, 202, answer.text);
    await requeryPendingTransfers(service.runtime.deps);
    await requeryPendingTransfers(service.runtime.deps);
    assert.equal((await readTransfer(service, tenant, reference))['transfer_status'], 'TRANSFER-ESCALATED');
    rail.silentQueries = false;
  }

  it('reverses automatically by default and records who, what and why (V4, V5)', async () => {
    const before = await balances(service, tenant, 'alice');
    const answer = await toBank(service, tenant, 'auto-1', 'alice', '0123456796', '120.00');
    assert.equal(answer.status, 502, answer.text);
    const transfer = await readTransfer(service, tenant, 'auto-1');
    const reversal = await api.read(String(transfer['reversal_id']));
    assert.equal(reversal.status, 200, reversal.text);
    assert.deepEqual([reversal.body['status'], reversal.body['mode'], reversal.body['requester'], reversal.body['decided_by']], ['COMPLETED', 'automatic', 'system:detection', 'system:reversals']);
    const failed = reversal.body['failed_transaction'] as Record<string, unknown>;
    assert.deepEqual([failed['failure_type'], failed['detection_method'], failed['status'], failed['outcome_code']], ['system_glitch', 'automatic', 'reversed', 'system_malfunction']);
    assert.deepEqual(await balances(service, tenant, 'alice'), before);
    const audit = await call(service, 'GET', '/api/v1/audit?transaction_id=auto-1', undefined, { token: tenant.keys['auditor']! });
    const actions = (audit.body['data'] as { action: string }[]).map((record) => record.action);
    for (const action of ['transfer.initiated', 'transfer.failed', 'reversal.completed']) assert.ok(actions.includes(action), `${action} in ${actions.join(', ')}`);
  });

  it('holds the money of a manual case until an approver, not the requester, approves (V4)', async () => {
    const before = await balances(service, tenant, 'alice');
    const id = await manualCase('manual-1');
    assert.equal(Number(before.available) - Number((await balances(service, tenant, 'alice')).available), 300);
    const waiting = await api.read(id);
    assert.deepEqual([waiting.body['status'], waiting.body['mode']], ['PENDING_APPROVAL', 'manual']);
    assert.equal(codeOf(await api.approve(id, 'operator')), 'forbidden');
    const approved = await api.approve(id);
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.body['status'], 'completed');
    assert.deepEqual(await balances(service, tenant, 'alice'), before);
    assert.equal((await readTransfer(service, tenant, 'manual-1'))['transfer_status'], 'TRANSFER-REVERSED');
    assert.equal(codeOf(await api.approve(id)), 'reversal_already_decided');
  });

  it('reverses each of 30 transfers the bank refuses at once: none answered 409, none left holding the sender\'s money (V1, V5)', async () => {
    const before = await balances(service, tenant, 'alice');
    const references = Array.from({ length: 30 }, (_, index) => `burst-${index}`);
    const answers = await Promise.all(references.map((reference) => toBank(service, tenant, reference, 'alice', '0123456796', '10.00')));
    assert.deepEqual(answers.map((answer) => answer.status), references.map(() => 502), answers.map((answer) => answer.text).join('\n'));
    const states = await Promise.all(references.map(async (reference) => (await readTransfer(service, tenant, reference))['transfer_status']));
    assert.deepEqual(states, references.map(() => 'TRANSFER-REVERSED'));
    assert.deepEqual(await balances(service, tenant, 'alice'), before);
    const ids = await Promise.all(references.map(async (reference) => String((await readTransfer(service, tenant, reference))['reversal_id'])));
    assert.equal(new Set(ids).size, 30, 'every reversal has its own reference');
  });

  it('names in the approval reply, and in its replay, the journal transfer that credited the sender back (V5)', async () => {
    const id = await manualCase('reply-1');
    const approved = await api.approve(id, 'approver', 'approve-reply-1');
    assert.equal(approved.status, 200, approved.text);
    const stored = (await api.read(id)).body['journal_transfer_id'];
    assert.ok(typeof stored === 'string' && stored.length > 0, `stored ${String(stored)}`);
    const replayed = await api.approve(id, 'approver', 'approve-reply-1');
    assert.equal(replayed.headers.get('idempotency-replayed'), 'true');
    for (const answer of [approved, replayed]) assert.equal((answer.body['reversal'] as Record<string, unknown>)['journal_transfer_id'], stored);
  });

  it('refuses the requester as approver and a non-manager above the high-value threshold', async () => {
    await escalatedCase('maker-1', '0123456197');
    const requested = await api.request({ transfer_reference: 'maker-1' }, 'admin');
    assert.equal(requested.status, 201, requested.text);
    const id = (requested.body['reversal'] as { reversal_id: string }).reversal_id;
    assert.equal(codeOf(await api.approve(id, 'admin')), 'approver_is_requester');
    const big = await manualCase('big-1', '20000.00');
    assert.equal(codeOf(await api.approve(big, 'approver')), 'manager_approval_required');
    const byManager = await api.approve(big, 'admin');
    assert.equal(byManager.status, 200, byManager.text);
    assert.equal((await api.approve(id, 'approver')).status, 200);
  });

  it('rejects a reversal, keeps the hold and lets a person ask again', async () => {
    const id = await manualCase('reject-1');
    const rejected = await api.reject(id);
    assert.equal(rejected.status, 200, rejected.text);
    assert.equal((await api.read(id)).body['status'], 'REJECTED');
    assert.equal(codeOf(await api.reject(id)), 'reversal_already_decided');
    const again = await api.request({ failed_transaction_id: 'FTX-reject-1' });
    assert.equal(again.status, 201, again.text);
    const second = (again.body['reversal'] as { reversal_id: string }).reversal_id;
    assert.notEqual(second, id);
    assert.equal((await api.approve(second)).status, 200);
  });

  it('refuses every request that is not a reversible failure, each with its code (V3)', async () => {
    rail.silentQueries = true;
    assert.equal((await toBank(service, tenant, 'still-pending', 'alice', '0123456001', '10.00')).status, 202);
    rail.silentQueries = false;
    assert.equal((await toBank(service, tenant, 'paid-1', 'alice', '0123456700', '10.00')).status, 201);
    await toBank(service, tenant, 'auto-2', 'alice', '0123456791', '10.00');
    await call(service, 'POST', '/api/v1/accounts', { account_id: 'bob', type: 'customer', currency: 'NGN' }, { token: tenant.keys['operator']! });
    await call(service, 'POST', '/api/v1/transfers', { reference: 'internal-1', sender_account_id: 'alice', receiver: { account_id: 'bob' }, amount: '1.00', currency: 'NGN' }, { token: tenant.keys['service']! });
    const cases: [Record<string, unknown>, string][] = [
      [{ transfer_reference: 'still-pending' }, 'transfer_outcome_unknown'],
      [{ transfer_reference: 'paid-1' }, 'transfer_succeeded'],
      [{ transfer_reference: 'auto-2' }, 'reversal_exists'],
      [{ transfer_reference: 'internal-1' }, 'transfer_not_reversible'],
      [{ transfer_reference: 'nothing-here' }, 'failed_transaction_not_found'],
      [{ failed_transaction_id: 'FTX-nothing' }, 'failed_transaction_not_found'],
      [{ transfer_reference: 'paid-1', failed_transaction_id: 'FTX-paid-1' }, 'invalid_request'],
      [{}, 'invalid_request'],
    ];
    for (const [body, code] of cases) assert.equal(codeOf(await api.request(body)), code, JSON.stringify(body));
    const waiting = await manualCase('manual-dup');
    assert.equal(codeOf(await api.request({ transfer_reference: 'manual-dup' })), 'reversal_exists');
    assert.equal(codeOf(await api.approve('TXR-1999-000001')), 'reversal_not_found');
    assert.equal((await api.request({ transfer_reference: 'manual-dup' }, 'auditor')).status, 403);
    assert.equal((await api.approve(waiting)).status, 200);
  });

  it('replays approve and request by Idempotency-Key and refuses a key reused for another request', async () => {
    const id = await manualCase('replay-1');
    const first = await api.approve(id, 'approver', 'approve-key-1');
    const again = await api.approve(id, 'approver', 'approve-key-1');
    assert.equal(first.status, 200, first.text);
    assert.equal(again.text, first.text);
    assert.equal(again.headers.get('idempotency-replayed'), 'true');
    await escalatedCase('replay-2');
    const requested = await api.request({ transfer_reference: 'replay-2' }, 'operator', 'request-key-1');
    const requestedAgain = await api.request({ transfer_reference: 'replay-2' }, 'operator', 'request-key-1');
    assert.equal(requested.status, 201, requested.text);
    assert.equal(requestedAgain.text, requested.text);
    assert.equal(codeOf(await api.request({ transfer_reference: 'replay-2', reason: 'other' }, 'operator', 'request-key-1')), 'idempotency_key_reused');
  });

  it('queries an escalated transfer once more before approval: a late success is credited, never reversed (V3)', async () => {
    await escalatedCase('late-1', '0123456097');
    const requested = await api.request({ transfer_reference: 'late-1' });
    const id = (requested.body['reversal'] as { reversal_id: string }).reversal_id;
    const before = await balances(service, tenant, 'alice');
    assert.equal(codeOf(await api.approve(id)), 'transfer_succeeded');
    const transfer = await readTransfer(service, tenant, 'late-1');
    assert.equal(transfer['transfer_status'], 'TRANSFER-SUCCESS');
    assert.equal((await api.read(id)).body['status'], 'REJECTED');
    assert.equal(Number(before.posted) - Number((await balances(service, tenant, 'alice')).posted), 200);
  });

  it('reverses an escalated transfer on approval when the last status query finds it failed', async () => {
    await escalatedCase('late-2', '0123456197');
    const requested = await api.request({ transfer_reference: 'late-2' });
    const id = (requested.body['reversal'] as { reversal_id: string }).reversal_id;
    assert.equal((await api.approve(id)).status, 200);
    assert.equal((await readTransfer(service, tenant, 'late-2'))['transfer_status'], 'TRANSFER-REVERSED');
  });

  it('lists reversals by status and failure type, page by page', async () => {
    const all = await api.list('?limit=2');
    assert.equal(all.status, 200, all.text);
    assert.equal((all.body['data'] as unknown[]).length, 2);
    assert.equal(typeof all.body['next_cursor'], 'string');
    const next = await api.list(`?limit=2&cursor=${encodeURIComponent(String(all.body['next_cursor']))}`);
    const ids = [...(all.body['data'] as { reversal_id: string }[]), ...(next.body['data'] as { reversal_id: string }[])].map((item) => item.reversal_id);
    assert.equal(new Set(ids).size, ids.length);
    const completed = await api.list('?status=COMPLETED&type=system_glitch&limit=100');
    const data = completed.body['data'] as { status: string; failure_type: string }[];
    assert.ok(data.length > 0);
    assert.ok(data.every((item) => item.status === 'COMPLETED' && item.failure_type === 'system_glitch'));
    assert.equal((await api.list('?status=DONE')).status, 400);
    assert.equal((await api.list('?from=yesterday')).status, 400);
  });

  it('answers an approval that read its reversal just before another process executed it with the refusal, not a 500 (V5)', async () => {
    assert.equal((await toBank(service, tenant, 'race-read', 'alice', '0123456791', '100.00', { channel: 'branch' })).status, 502);
    const id = String((await readTransfer(service, tenant, 'race-read'))['reversal_id']);
    const tenantId = tenant.tenantId as TenantId;
    const store = service.runtime.deps.store;
    const stale = await store.getRecord(tenantId, 'reversal', id);
    assert.ok(stale !== null);
    assert.equal(stale.body['status'], 'PENDING_APPROVAL');
    // The other process's approval executes the reversal first…
    assert.equal((await api.approve(id)).status, 200);
    // …and this one read the reversal before it (twice: the route's check and the decision's), the transfer after it.
    const lagging = laggingStore(store, 'reversal', stale, 2);
    const principal = { kind: 'api_key' as const, tenantId, apiKeyId: 'key_OTHER_APPROVER' as ApiKeyId, role: 'approver' as const };
    const answer = await approveReversal({ ...service.runtime.deps, store: lagging }, principal, id, null);
    assert.deepEqual(answer.ok ? null : answer.code, 'reversal_already_decided');
    const voids = (await store.listTransactionTransfers(tenantId, 'race-read')).filter((transfer) => transfer.kind === 'void_pending');
    assert.equal(voids.length, 1, 'reversed once');
  });
});

describe('reversal rules in a currency without minor units (V4)', () => {
  let service: TestService;
  let tenant: Tenant;
  let api: ReturnType<typeof reversalCalls>;
  before(async () => {
    service = await startService({ interbank: new ControlledSwitch() });
    // Settings are written once, with decimals, and read for every currency.
    tenant = await createTenant(service, 'Yen bank', { reversal_manual_channels: ['branch'], reversal_manager_threshold: '10000.00', reversal_auto_amount_max: '50000.00' });
    api = reversalCalls(service, tenant);
    await fundedCustomer(service, tenant, 'yen', '10000000', 'JPY');
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => service.close());

  it('needs a manager for a yen reversal above a manager threshold written with decimals', async () => {
    assert.equal((await toBank(service, tenant, 'jpy-big', 'yen', '0123456791', '500000', { channel: 'branch', currency: 'JPY' })).status, 502);
    const id = String((await readTransfer(service, tenant, 'jpy-big'))['reversal_id']);
    assert.equal(codeOf(await api.approve(id, 'approver')), 'manager_approval_required');
    assert.equal((await api.approve(id, 'admin')).status, 200);
  });

  it('leaves for a person a yen failure above an automatic limit written with decimals', async () => {
    assert.equal((await toBank(service, tenant, 'jpy-auto', 'yen', '0123456791', '80000', { currency: 'JPY' })).status, 502);
    const read = await readTransfer(service, tenant, 'jpy-auto');
    const reversal = await api.read(String(read['reversal_id']));
    assert.deepEqual([read['transfer_status'], reversal.body['mode'], reversal.body['status']], ['TRANSFER-FAILED', 'manual', 'PENDING_APPROVAL']);
    assert.equal((await toBank(service, tenant, 'jpy-small', 'yen', '0123456791', '40000', { currency: 'JPY' })).status, 502);
    assert.equal((await readTransfer(service, tenant, 'jpy-small'))['transfer_status'], 'TRANSFER-REVERSED');
  });
});

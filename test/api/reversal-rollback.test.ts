// Rolling back a wrong reversal (R8, issue 6): a completed reversal of an other-bank
// transfer the beneficiary received after all is undone by a compensating transfer
// sender → settlement, in one commit — transfer TRANSFER-SUCCESS, failed transaction
// resolved, reversal ROLLED_BACK with reason, decider and evidence. Every refusal (a
// sender without the money included), replays, concurrent rollbacks and a failed commit;
// the CBN report stops counting it as a reversal. The ledger balances after every test.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Response, type Tenant } from '../support/client.ts';
import { reversalCalls } from '../support/reversals.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { ControlledSwitch } from '../support/controlled-switch.ts';
import { crashingOnce } from '../support/crashing-store.ts';
import { balances, fundedCustomer, readTransfer, toBank, transfer } from '../support/transfers.ts';
import { rollBackReversal } from '../../src/app/reversals/roll-back-reversal.ts';
import type { Changeset } from '../../src/app/ports/store.ts';
import type { ApiKeyId, TenantId } from '../../src/domain/ids.ts';

const errorOf = (answer: Response): { code: string; field?: string } => (answer.body['error'] as { code: string; field?: string } | undefined) ?? { code: `(${answer.status})` };
const codeOf = (answer: Response): string => errorOf(answer).code;
const settlement = 'sys:settlement:nip:NGN';
const evidence = 'statement line 2026-11-29 #4411, NIBSS session 000015261130120000123456789012';

describe('rolling back a wrong reversal (R8)', () => {
  let service: TestService;
  let tenant: Tenant;
  let api: ReturnType<typeof reversalCalls>;
  let secondApprover: string;
  const rail = new ControlledSwitch();
  before(async () => {
    service = await startService({ interbank: rail, environment: { CONTRA_REQUERY_ATTEMPTS_MAX: '2', CONTRA_PROCESSOR_TIMEOUT_MS: '300' } });
    tenant = await createTenant(service, 'Rollback bank', { reversal_manual_channels: ['branch'], reversal_manager_threshold: '10000.00' });
    api = reversalCalls(service, tenant);
    await fundedCustomer(service, tenant, 'alice', '1000000.00');
    const key = await call(service, 'POST', '/api/v1/api-keys', { role: 'approver', name: 'second approver' }, { token: tenant.adminKey });
    assert.equal(key.status, 201, key.text);
    secondApprover = String(key.body['api_key']);
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => service.close());

  const rollback = (id: string, token: string, body: Record<string, unknown> = { reason: 'the statement shows the beneficiary was credited', evidence }, key?: string): Promise<Response> =>
    call(service, 'POST', `/api/v1/transactions/reversals/${id}/rollback`, body, { token, ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }) });
  const keyOf = (role: string): string => tenant.keys[role]!;
  const journalOf = (reference: string) => service.runtime.deps.store.listTransactionTransfers(tenant.tenantId as TenantId, reference);
  const compensationsOf = async (reference: string) => (await journalOf(reference)).filter((item) => item.code === 'reversal_rollback');

  /** A transfer the bank refuses at once (96), reversed automatically by the system. */
  async function reversedAutomatically(reference: string, sender = 'alice', amount = '120.00'): Promise<string> {
    const answer = await toBank(service, tenant, reference, sender, '0123456796', amount);
    assert.equal(answer.status, 502, answer.text);
    const id = String((await readTransfer(service, tenant, reference))['reversal_id']);
    assert.equal((await api.read(id)).body['status'], 'COMPLETED');
    return id;
  }

  /** A branch transfer the bank refuses (91), its manual reversal requested by `requester` and approved by `approver`. */
  async function reversedByPeople(reference: string, requester: string, approver: string): Promise<string> {
    assert.equal((await toBank(service, tenant, reference, 'alice', '0123456791', '300.00', { channel: 'branch' })).status, 502);
    const id = String((await readTransfer(service, tenant, reference))['reversal_id']);
    if (requester !== 'operator') {
      assert.equal((await api.reject(id)).status, 200);
      const requested = await api.request({ transfer_reference: reference }, requester);
      assert.equal(requested.status, 201, requested.text);
      const again = (requested.body['reversal'] as { reversal_id: string }).reversal_id;
      assert.equal((await api.approve(again, approver)).status, 200);
      return again;
    }
    assert.equal((await api.approve(id, approver)).status, 200);
    return id;
  }

  async function assertUntouched(id: string, reference: string): Promise<void> {
    assert.equal((await api.read(id)).body['status'], 'COMPLETED');
    assert.equal((await readTransfer(service, tenant, reference))['transfer_status'], 'TRANSFER-REVERSED');
    assert.deepEqual(await compensationsOf(reference), []);
  }

  it('debits the sender again and credits settlement, in one commit that points at the reversal', async () => {
    const id = await reversedAutomatically('rb-1');
    const [alice, bank] = [await balances(service, tenant, 'alice'), await balances(service, tenant, settlement)];
    const answer = await rollback(id, keyOf('approver'));
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual([answer.body['status'], answer.body['transfer_status']], ['rolled_back', 'TRANSFER-SUCCESS']);
    const [aliceAfter, bankAfter] = [await balances(service, tenant, 'alice'), await balances(service, tenant, settlement)];
    assert.equal(Number(alice.posted) - Number(aliceAfter.posted), 120, 'the sender is debited again');
    assert.equal(Number(alice.available) - Number(aliceAfter.available), 120);
    assert.equal(Number(bankAfter.posted) - Number(bank.posted), -120, 'settlement is credited');
    const reversal = await api.read(id);
    const made = await compensationsOf('rb-1');
    assert.equal(made.length, 1);
    assert.deepEqual([made[0]!.kind, made[0]!.debitAccountId, made[0]!.creditAccountId, made[0]!.amountMinor, made[0]!.correctsTransferId],
      ['posted', 'alice', settlement, 12_000n, reversal.body['journal_transfer_id']]);
    const rolled = reversal.body['rollback'] as Record<string, unknown>;
    assert.equal(reversal.body['status'], 'ROLLED_BACK');
    assert.deepEqual([rolled['reason'], rolled['evidence'], rolled['journal_transfer_id']], ['the statement shows the beneficiary was credited', evidence, made[0]!.id]);
    assert.match(String(rolled['decided_by']), /^api_key:/);
    assert.equal(reversal.body['decided_by'], 'system:reversals', 'the original decision is kept');
    assert.equal((reversal.body['failed_transaction'] as { status: string }).status, 'resolved');
    const read = await readTransfer(service, tenant, 'rb-1');
    assert.equal(read['transfer_status'], 'TRANSFER-SUCCESS');
    assert.deepEqual((read['entries'] as { status: string }[]).map((entry) => entry.status), ['TRANSFER-PENDING', 'TRANSFER-FAILED', 'TRANSFER-REVERSED', 'TRANSFER-SUCCESS']);
    const audit = await call(service, 'GET', '/api/v1/audit?transaction_id=rb-1', undefined, { token: keyOf('auditor') });
    const record = (audit.body['data'] as { action: string; initiator: string; reason: string; reversal_id: string; details: { query: Record<string, unknown> } }[])
      .find((item) => item.action === 'reversal.rolled_back');
    assert.ok(record !== undefined, audit.text);
    assert.deepEqual([record.initiator, record.reason, record.reversal_id, record.details.query['evidence']], [rolled['decided_by'], 'the statement shows the beneficiary was credited', id, evidence]);
    const notices = await service.runtime.deps.store.listRecords(tenant.tenantId as TenantId, 'notification', { limit: 200 });
    const told = notices.items.filter((notice) => notice.body['template'] === 'reversal.rolled_back' && JSON.stringify(notice.body['data']).includes(id));
    assert.equal(told.length, 1, 'the customer is told in the same commit that the reversal was taken back');
    assert.equal(codeOf(await rollback(id, keyOf('admin'))), 'reversal_not_rollbackable');
    assert.equal(codeOf(await api.request({ transfer_reference: 'rb-1' })), 'transfer_succeeded');
    const listed = (await api.list('?status=ROLLED_BACK')).body['data'] as { reversal_id: string }[];
    assert.ok(listed.some((item) => item.reversal_id === id), 'listed under ROLLED_BACK');
    assert.ok(!((await api.list('?status=COMPLETED')).body['data'] as { reversal_id: string }[]).some((item) => item.reversal_id === id));
  });

  it('stops counting a rolled-back reversal in the CBN report: it is a failure resolved as a success', async () => {
    const id = await reversedAutomatically('rb-cbn', 'alice', '40.00');
    const createdAt = String((await api.read(id)).body['created_at']);
    const period = new Date(Date.parse(createdAt) + 3_600_000).toISOString().slice(0, 7);
    const report = async () => (await call(service, 'GET', `/api/v1/transactions/reversals/compliance/cbn?period=${period}`, undefined, { token: keyOf('auditor') })).body['figures'] as Record<string, number>;
    const before = await report();
    assert.equal((await rollback(id, keyOf('approver'))).status, 200);
    const after = await report();
    assert.equal(after['total_failures'], before['total_failures']! - 1, 'a transfer the beneficiary received is not a failure');
    assert.equal(after['automatic_reversals'], before['automatic_reversals']! - 1);
    assert.equal(after['resolved_as_success'], before['resolved_as_success']! + 1);
  });

  it('refuses the reversal\'s requester and approver (maker-checker) and other roles, changing nothing', async () => {
    const byApprover = await reversedByPeople('rb-maker-1', 'operator', 'approver');
    assert.equal(codeOf(await rollback(byApprover, keyOf('approver'))), 'approver_is_requester');
    assert.equal(codeOf(await rollback(byApprover, keyOf('operator'))), 'forbidden');
    assert.equal(codeOf(await rollback(byApprover, keyOf('auditor'))), 'forbidden');
    await assertUntouched(byApprover, 'rb-maker-1');
    assert.equal((await rollback(byApprover, keyOf('admin'))).status, 200);
    const byAdmin = await reversedByPeople('rb-maker-2', 'admin', 'approver');
    const refused = await rollback(byAdmin, keyOf('admin'));
    assert.deepEqual([refused.status, codeOf(refused)], [403, 'approver_is_requester']);
    assert.equal(codeOf(await rollback(byAdmin, keyOf('approver'))), 'approver_is_requester');
    await assertUntouched(byAdmin, 'rb-maker-2');
    assert.equal((await rollback(byAdmin, secondApprover)).status, 200);
  });

  it('refuses an unknown, a pending, a rejected and a rolled-back reversal, and bad input with the field', async () => {
    assert.deepEqual([(await rollback('TXR-1999-000001', keyOf('approver'))).status, codeOf(await rollback('TXR-1999-000001', keyOf('approver')))], [404, 'reversal_not_found']);
    assert.equal((await toBank(service, tenant, 'rb-pending', 'alice', '0123456791', '50.00', { channel: 'branch' })).status, 502);
    const pending = String((await readTransfer(service, tenant, 'rb-pending'))['reversal_id']);
    const refused = await rollback(pending, keyOf('admin'));
    assert.deepEqual([refused.status, errorOf(refused).code, errorOf(refused).field], [409, 'reversal_not_rollbackable', 'id']);
    assert.equal((await api.reject(pending)).status, 200);
    assert.equal(codeOf(await rollback(pending, keyOf('admin'))), 'reversal_not_rollbackable');
    assert.equal((await readTransfer(service, tenant, 'rb-pending'))['transfer_status'], 'TRANSFER-FAILED');
    const id = await reversedAutomatically('rb-input');
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'reason'], [{ reason: '' }, 'reason'], [{ reason: 'ok', evidence: '' }, 'evidence'],
      [{ reason: 'ok', evidence: 'x'.repeat(121) }, 'evidence'], [{ reason: 'ok', amount: '1.00' }, ''],
    ];
    for (const [body, field] of cases) {
      const answer = await rollback(id, keyOf('approver'), body);
      assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.text}`);
      if (field !== '') assert.equal(errorOf(answer).field, field, answer.text);
    }
    await assertUntouched(id, 'rb-input');
  });

  it('refuses with insufficient_funds when the sender no longer has the money, writing nothing; works once it is recovered', async () => {
    await fundedCustomer(service, tenant, 'bob', '500.00');
    const id = await reversedAutomatically('rb-poor', 'bob', '300.00');
    const spent = await transfer(service, tenant, { reference: 'rb-poor-spend', sender_account_id: 'bob', receiver: { account_id: 'alice' }, amount: '400.00' });
    assert.equal(spent.status, 201, spent.text);
    const before = await balances(service, tenant, 'bob');
    const refused = await rollback(id, keyOf('approver'), undefined, 'rb-poor-key');
    assert.deepEqual([refused.status, codeOf(refused)], [422, 'insufficient_funds']);
    await assertUntouched(id, 'rb-poor');
    assert.deepEqual(await balances(service, tenant, 'bob'), before);
    const recovered = await transfer(service, tenant, { reference: 'rb-poor-recover', sender_account_id: 'alice', receiver: { account_id: 'bob' }, amount: '200.00' });
    assert.equal(recovered.status, 201, recovered.text);
    const retried = await rollback(id, keyOf('approver'), undefined, 'rb-poor-key');
    assert.equal(retried.status, 200, retried.text);
    assert.equal((await balances(service, tenant, 'bob')).posted, '0.00');
  });

  it('replays a rollback by Idempotency-Key and refuses the key for another request', async () => {
    const id = await reversedAutomatically('rb-replay');
    const first = await rollback(id, keyOf('approver'), undefined, 'rb-key-1');
    const again = await rollback(id, keyOf('approver'), undefined, 'rb-key-1');
    assert.equal(first.status, 200, first.text);
    assert.equal(again.text, first.text);
    assert.equal(again.headers.get('idempotency-replayed'), 'true');
    assert.equal(codeOf(await rollback(id, keyOf('approver'), { reason: 'another reason' }, 'rb-key-1')), 'idempotency_key_reused');
    assert.equal((await compensationsOf('rb-replay')).length, 1);
  });

  it('rolls back once when rollbacks race', async () => {
    const id = await reversedAutomatically('rb-race', 'alice', '70.00');
    const before = await balances(service, tenant, 'alice');
    const answers = await Promise.all([
      rollback(id, keyOf('approver'), undefined, 'rb-race-a'), rollback(id, keyOf('admin'), undefined, 'rb-race-b'),
      rollback(id, secondApprover), rollback(id, keyOf('approver')),
    ]);
    const won = answers.filter((answer) => answer.status === 200);
    assert.equal(won.length, 1, answers.map((answer) => answer.text).join('\n'));
    for (const answer of answers.filter((item) => item.status !== 200)) assert.equal(codeOf(answer), 'reversal_not_rollbackable', answer.text);
    assert.equal((await compensationsOf('rb-race')).length, 1);
    assert.equal(Number(before.posted) - Number((await balances(service, tenant, 'alice')).posted), 70);
    const replayed = await rollback(id, keyOf('approver'), undefined, 'rb-race-a');
    assert.equal(replayed.status, answers[0].status);
  });

  it('writes nothing when the commit fails, and the same request then succeeds once', async () => {
    const id = await reversedAutomatically('rb-crash');
    const deps = service.runtime.deps;
    const crashing = crashingOnce(deps.store, (changeset: Changeset) => changeset.transfers?.some((item) => item.code === 'reversal_rollback') ?? false,
      'simulated crash at the rollback commit');
    const approver = { kind: 'api_key' as const, tenantId: tenant.tenantId as TenantId, apiKeyId: 'key_CHECKER' as ApiKeyId, role: 'approver' as const };
    const crashed = rollBackReversal({ ...deps, store: crashing }, approver, id, { reason: 'the statement shows the beneficiary was credited', evidence }, 'rb-crash-key');
    await assert.rejects(crashed, /simulated crash/);
    await assertUntouched(id, 'rb-crash');
    const retried = await rollback(id, keyOf('approver'), undefined, 'rb-crash-key');
    assert.equal(retried.status, 200, retried.text);
    assert.equal(retried.headers.get('idempotency-replayed'), null);
    assert.equal((await compensationsOf('rb-crash')).length, 1);
    assert.equal((await readTransfer(service, tenant, 'rb-crash'))['transfer_status'], 'TRANSFER-SUCCESS');
  });
});

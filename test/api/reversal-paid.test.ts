// Rejecting a reversal because the beneficiary was paid (V3, V4, issue 6): an escalated
// transfer whose status query cannot say is settled as a success on a second person's
// evidence, after one last status query, in one commit — hold posted, TRANSFER-SUCCESS,
// failed transaction resolved, reversal REJECTED with `resolution: "paid"`. Every refusal,
// replays, a race against approvals (one outcome, never both) and a failed commit. The
// ledger balances after every test.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Response, type Tenant } from '../support/client.ts';
import { reversalCalls } from '../support/reversals.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { ControlledSwitch } from '../support/controlled-switch.ts';
import { crashingOnce } from '../support/crashing-store.ts';
import { balances, fundedCustomer, readTransfer, toBank } from '../support/transfers.ts';
import { requeryPendingTransfers } from '../../src/app/transfers/requery-transfers.ts';
import { rejectReversalAsPaid } from '../../src/app/reversals/reject-as-paid.ts';
import type { Changeset } from '../../src/app/ports/store.ts';
import type { ApiKeyId, TenantId } from '../../src/domain/ids.ts';

const errorOf = (answer: Response): { code: string; field?: string } => (answer.body['error'] as { code: string; field?: string } | undefined) ?? { code: `(${answer.status})` };
const codeOf = (answer: Response): string => errorOf(answer).code;
const settlement = 'sys:settlement:nip:NGN';
const paid = (evidence = 'NIBSS session 000015261130120000123456789012') => ({ resolution: 'paid', evidence });

describe('reversals rejected because the beneficiary was paid', () => {
  let service: TestService;
  let tenant: Tenant;
  let api: ReturnType<typeof reversalCalls>;
  const rail = new ControlledSwitch();
  before(async () => {
    service = await startService({ interbank: rail, environment: { CONTRA_REQUERY_ATTEMPTS_MAX: '2', CONTRA_PROCESSOR_TIMEOUT_MS: '300' } });
    tenant = await createTenant(service, 'Paid bank', { reversal_manual_channels: ['branch'], reversal_manager_threshold: '10000.00' });
    api = reversalCalls(service, tenant);
    await fundedCustomer(service, tenant, 'alice', '1000000.00');
  });
  afterEach(async () => {
    rail.silentQueries = false;
    await assertLedgerBalances(service.runtime.deps.store);
  });
  after(async () => service.close());

  const journalOf = (reference: string) => service.runtime.deps.store.listTransactionTransfers(tenant.tenantId as TenantId, reference);
  const resolutionsOf = async (reference: string) => (await journalOf(reference)).filter((item) => item.kind === 'post_pending' || item.kind === 'void_pending').map((item) => item.kind);
  const entriesOf = async (reference: string) => ((await readTransfer(service, tenant, reference))['entries'] as { status: string }[]).map((entry) => entry.status);

  /**
   * A transfer whose status queries never get an answer, escalated after the limit (2), and a
   * manual reversal of it requested by `requester`. The switch stays silent unless `answering`.
   */
  async function escalatedWithReversal(reference: string, account = '0123456097', amount = '200.00', requester = 'operator', answering = false): Promise<string> {
    rail.silentQueries = true;
    assert.equal((await toBank(service, tenant, reference, 'alice', account, amount)).status, 202);
    await requeryPendingTransfers(service.runtime.deps);
    await requeryPendingTransfers(service.runtime.deps);
    assert.equal((await readTransfer(service, tenant, reference))['transfer_status'], 'TRANSFER-ESCALATED');
    const requested = await api.request({ transfer_reference: reference }, requester);
    assert.equal(requested.status, 201, requested.text);
    rail.silentQueries = !answering;
    return (requested.body['reversal'] as { reversal_id: string }).reversal_id;
  }

  async function assertStillWaiting(id: string, reference: string, status = 'TRANSFER-ESCALATED'): Promise<void> {
    assert.equal((await api.read(id)).body['status'], 'PENDING_APPROVAL');
    assert.equal((await readTransfer(service, tenant, reference))['transfer_status'], status);
    assert.deepEqual(await resolutionsOf(reference), []);
  }

  it('settles an escalated transfer as paid on a second person\'s evidence while the status query still cannot say', async () => {
    const id = await escalatedWithReversal('paid-1');
    const [alice, bank] = [await balances(service, tenant, 'alice'), await balances(service, tenant, settlement)];
    const answer = await api.reject(id, 'approver', paid());
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual([answer.body['status'], answer.body['resolution'], answer.body['status_query'], answer.body['transfer_status']], ['rejected', 'paid', 'unknown', 'TRANSFER-SUCCESS']);
    assert.deepEqual(await entriesOf('paid-1'), ['TRANSFER-PENDING', 'TRANSFER-ESCALATED', 'TRANSFER-SUCCESS']);
    assert.deepEqual(await resolutionsOf('paid-1'), ['post_pending']);
    const [aliceAfter, bankAfter] = [await balances(service, tenant, 'alice'), await balances(service, tenant, settlement)];
    assert.equal(Number(alice.posted) - Number(aliceAfter.posted), 200, 'the sender is debited for good');
    assert.equal(aliceAfter.available, alice.available, 'the held money was already unavailable');
    assert.equal(Number(bankAfter.posted) - Number(bank.posted), -200, 'settlement is credited');
    const reversal = await api.read(id);
    assert.deepEqual(
      [reversal.body['status'], reversal.body['resolution'], reversal.body['evidence'], reversal.body['decision_reason']],
      ['REJECTED', 'paid', paid().evidence, 'beneficiary bank confirms the credit'],
    );
    assert.match(String(reversal.body['decided_by']), /^api_key:/);
    assert.notEqual(reversal.body['decided_by'], reversal.body['requester']);
    assert.equal((reversal.body['failed_transaction'] as { status: string }).status, 'resolved');
    const audit = await call(service, 'GET', '/api/v1/audit?transaction_id=paid-1', undefined, { token: tenant.keys['auditor']! });
    const record = (audit.body['data'] as { action: string; initiator: string; reason: string; reversal_id: string; details: { query: Record<string, unknown>; response: Record<string, unknown> } }[])
      .find((item) => item.action === 'transfer.confirmed_paid');
    assert.ok(record !== undefined, audit.text);
    assert.deepEqual([record.initiator, record.reason, record.reversal_id], [reversal.body['decided_by'], 'beneficiary bank confirms the credit', id]);
    assert.deepEqual([record.details.query['evidence'], record.details.query['resolution'], record.details.response['status_query']], [paid().evidence, 'paid', 'unknown']);
    // Settled once and for all: nothing decides it again.
    assert.equal(codeOf(await api.reject(id, 'approver', paid())), 'reversal_already_decided');
    assert.equal(codeOf(await api.approve(id, 'admin')), 'reversal_already_decided');
    assert.equal(codeOf(await api.request({ transfer_reference: 'paid-1' })), 'transfer_succeeded');
    await requeryPendingTransfers(service.runtime.deps);
    assert.deepEqual(await resolutionsOf('paid-1'), ['post_pending']);
  });

  it('settles as paid when the last status query finds the transfer credited after all', async () => {
    const id = await escalatedWithReversal('paid-2', '0123456097', '150.00', 'operator', true);
    const answer = await api.reject(id, 'approver', { resolution: 'paid' });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual([answer.body['status_query'], answer.body['transfer_status']], ['success', 'TRANSFER-SUCCESS']);
    const reversal = await api.read(id);
    assert.deepEqual([reversal.body['status'], reversal.body['resolution'], reversal.body['evidence']], ['REJECTED', 'paid', null]);
    assert.deepEqual(await resolutionsOf('paid-2'), ['post_pending']);
  });

  it('refuses the requester and a non-manager above the high-value threshold, changing nothing', async () => {
    const own = await escalatedWithReversal('paid-maker', '0123456097', '200.00', 'admin');
    assert.equal(codeOf(await api.reject(own, 'admin', paid())), 'approver_is_requester');
    await assertStillWaiting(own, 'paid-maker');
    const big = await escalatedWithReversal('paid-big', '0123456097', '20000.00');
    assert.equal(codeOf(await api.reject(big, 'approver', paid())), 'manager_approval_required');
    await assertStillWaiting(big, 'paid-big');
    assert.equal((await api.reject(big, 'admin', paid())).status, 200);
    assert.equal((await api.reject(own, 'approver', paid())).status, 200);
    assert.equal((await api.reject(own, 'operator', paid())).status, 403);
  });

  it('refuses a transfer the switch reported as failed, and one its last status query finds failed; approval still works', async () => {
    assert.equal((await toBank(service, tenant, 'paid-91', 'alice', '0123456791', '300.00', { channel: 'branch' })).status, 502);
    const definite = String((await readTransfer(service, tenant, 'paid-91'))['reversal_id']);
    const refused = await api.reject(definite, 'approver', paid());
    assert.deepEqual([refused.status, errorOf(refused).code, errorOf(refused).field], [422, 'transfer_definitely_failed', 'resolution']);
    await assertStillWaiting(definite, 'paid-91', 'TRANSFER-FAILED');
    assert.equal((await api.approve(definite)).status, 200);
    const late = await escalatedWithReversal('paid-late-fail', '0123456197', '80.00', 'operator', true);
    assert.equal(codeOf(await api.reject(late, 'approver', paid())), 'transfer_definitely_failed');
    await assertStillWaiting(late, 'paid-late-fail');
    assert.equal((await api.approve(late)).status, 200);
    assert.equal((await readTransfer(service, tenant, 'paid-late-fail'))['transfer_status'], 'TRANSFER-REVERSED');
  });

  it('refuses bad input with the field at fault, and keeps the plain rejection unchanged', async () => {
    const id = await escalatedWithReversal('paid-input');
    const cases: [Record<string, unknown>, string][] = [
      [{ resolution: 'unpaid' }, 'resolution'],
      [{ resolution: 'paid', evidence: 'x'.repeat(121) }, 'evidence'],
      [{ resolution: 'paid', evidence: '' }, 'evidence'],
      [{ evidence: 'session 1' }, 'evidence'],
      [{ resolution: 'paid', reason: '' }, 'reason'],
      [{ resolution: 'paid', amount: '1.00' }, ''],
    ];
    for (const [body, field] of cases) {
      const answer = await api.reject(id, 'approver', body);
      assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.text}`);
      if (field !== '') assert.equal(errorOf(answer).field, field, answer.text);
    }
    await assertStillWaiting(id, 'paid-input');
    assert.equal(codeOf(await api.reject('TXR-1999-000001', 'approver', paid())), 'reversal_not_found');
    const plain = await api.reject(id);
    assert.equal(plain.status, 200, plain.text);
    assert.equal((await api.read(id)).body['resolution'], null);
    assert.equal((await readTransfer(service, tenant, 'paid-input'))['transfer_status'], 'TRANSFER-ESCALATED');
    assert.equal(codeOf(await api.reject(id, 'approver', paid())), 'reversal_already_decided');
  });

  it('replays a paid rejection by Idempotency-Key and refuses the key for another request', async () => {
    const id = await escalatedWithReversal('paid-replay');
    const first = await api.reject(id, 'approver', paid(), 'paid-key-1');
    const again = await api.reject(id, 'approver', paid(), 'paid-key-1');
    assert.equal(first.status, 200, first.text);
    assert.equal(again.text, first.text);
    assert.equal(again.headers.get('idempotency-replayed'), 'true');
    assert.equal(codeOf(await api.reject(id, 'approver', paid('another session'), 'paid-key-1')), 'idempotency_key_reused');
    assert.equal(codeOf(await api.reject(id, 'approver', {}, 'paid-key-1')), 'idempotency_key_reused');
    assert.deepEqual(await resolutionsOf('paid-replay'), ['post_pending']);
  });

  for (const [round, answering] of [[1, false], [2, false], [3, true]] as const) {
    it(`ends a paid rejection racing approvals with one outcome, never both (round ${round}, switch ${answering ? 'answers success' : 'silent'})`, async () => {
      const reference = `paid-race-${round}`;
      const id = await escalatedWithReversal(reference, '0123456097', '70.00', 'operator', answering);
      const before = await balances(service, tenant, 'alice');
      const answers = await Promise.all([
        api.reject(id, 'approver', paid(), `race-paid-a-${round}`), api.approve(id, 'approver', `race-approve-${round}`),
        api.reject(id, 'admin', paid()), api.approve(id, 'admin'),
        requeryPendingTransfers(service.runtime.deps).then(() => api.read(id)),
      ]);
      const decisions = answers.slice(0, 4);
      const won = decisions.filter((answer) => answer.status === 200);
      // A silent switch leaves the decision to the people: exactly one of them wins. A switch
      // that answers success lets the approvers' last status query settle it first, or not.
      assert.ok(answering ? won.length <= 1 : won.length === 1, decisions.map((answer) => answer.text).join('\n'));
      for (const answer of decisions.filter((item) => item.status !== 200)) {
        assert.ok(['reversal_already_decided', 'transfer_succeeded'].includes(codeOf(answer)), answer.text);
      }
      const resolutions = await resolutionsOf(reference);
      assert.equal(resolutions.length, 1, resolutions.join(', '));
      const status = (await readTransfer(service, tenant, reference))['transfer_status'];
      const reversal = await api.read(id);
      const after = await balances(service, tenant, 'alice');
      if (resolutions[0] === 'post_pending') {
        assert.equal(status, 'TRANSFER-SUCCESS');
        assert.equal(reversal.body['status'], 'REJECTED');
        assert.equal(Number(before.posted) - Number(after.posted), 70);
      } else {
        assert.equal(status, 'TRANSFER-REVERSED');
        assert.equal(reversal.body['status'], 'COMPLETED');
        assert.equal(Number(after.available) - Number(before.available), 70);
        assert.equal(after.posted, before.posted);
      }
      // Replays after the race answer as the first time did.
      const replayed = await api.reject(id, 'approver', paid(), `race-paid-a-${round}`);
      assert.equal(replayed.status, decisions[0]!.status);
      assert.deepEqual(await resolutionsOf(reference), resolutions);
    });
  }

  it('writes nothing when the commit fails, and the same request then succeeds once', async () => {
    const id = await escalatedWithReversal('paid-crash');
    const deps = service.runtime.deps;
    const crashing = crashingOnce(deps.store, (changeset: Changeset) => changeset.records?.some((record) => record.kind === 'reversal' && record.body['resolution'] === 'paid') ?? false,
      'simulated crash at the paid rejection commit');
    const approver = { kind: 'api_key' as const, tenantId: tenant.tenantId as TenantId, apiKeyId: 'key_CHECKER' as ApiKeyId, role: 'approver' as const };
    const crashed = rejectReversalAsPaid({ ...deps, store: crashing }, approver, id, { reason: 'settlement bank confirms', evidence: 'session 42' }, 'paid-crash-key');
    await assert.rejects(crashed, /simulated crash/);
    await assertStillWaiting(id, 'paid-crash');
    assert.equal((await api.read(id)).body['resolution'], null);
    const retried = await api.reject(id, 'approver', paid(), 'paid-crash-key');
    assert.equal(retried.status, 200, retried.text);
    assert.equal(retried.headers.get('idempotency-replayed'), null);
    assert.deepEqual(await resolutionsOf('paid-crash'), ['post_pending']);
    assert.equal((await readTransfer(service, tenant, 'paid-crash'))['transfer_status'], 'TRANSFER-SUCCESS');
  });

  it('answers reversal_already_decided, not a definite failure, when the approval lands between reading the reversal and its transfer', async () => {
    const id = await escalatedWithReversal('paid-interleaved', '0123456097', '60.00');
    const deps = service.runtime.deps;
    // The reversal as this process read it, before another process approved it.
    const pending = await deps.store.getRecord(tenant.tenantId as TenantId, 'reversal', id);
    assert.ok(pending !== null);
    const approved = await api.approve(id, 'approver');
    assert.equal(approved.status, 200, approved.text);
    const earlierRead = new Proxy(deps.store, {
      get(target, property, receiver) {
        if (property === 'getRecord') {
          return async (tenantId: TenantId, kind: string, recordId: string) => (kind === 'reversal' && recordId === id ? pending : target.getRecord(tenantId, kind, recordId));
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const admin = { kind: 'api_key' as const, tenantId: tenant.tenantId as TenantId, apiKeyId: 'key_ADMIN' as ApiKeyId, role: 'admin' as const };
    const refused = await rejectReversalAsPaid({ ...deps, store: earlierRead }, admin, id, { reason: 'settlement bank confirms', evidence: 'session 43' }, null);
    assert.deepEqual(refused.ok ? 'committed' : [refused.code, refused.field], ['reversal_already_decided', 'id']);
    assert.deepEqual(await resolutionsOf('paid-interleaved'), ['void_pending'], 'the approval stands alone');
    assert.equal((await readTransfer(service, tenant, 'paid-interleaved'))['transfer_status'], 'TRANSFER-REVERSED');
  });
});

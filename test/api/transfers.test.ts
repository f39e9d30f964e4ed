// Transfers through the real HTTP server (V1, V2, V3): a transfer to each simulator code
// ends in the right state; internal transfers move money at once; every refusal code;
// replays by reference. The ledger balances after every test.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { balances, fundedCustomer, readTransfer, toBank, transfer } from '../support/transfers.ts';
import { requeryPendingTransfers } from '../../src/app/transfers/requery-transfers.ts';
import { crashingOnce } from '../support/crashing-store.ts';

describe('transfers', () => {
  let service: TestService;
  let tenant: Tenant;
  before(async () => {
    service = await startService();
    tenant = await createTenant(service);
    await fundedCustomer(service, tenant, 'alice', '1000000.00');
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => service.close());

  it('moves money between two accounts held here at once (internal transfer)', async () => {
    await fundedCustomer(service, tenant, 'bola', '100.00');
    const answer = await transfer(service, tenant, { reference: 'int-1', sender_account_id: 'bola', receiver: { account_id: 'alice' }, amount: '40.00' });
    assert.equal(answer.status, 201, answer.text);
    assert.equal(answer.body['status'], 'success');
    assert.deepEqual(await balances(service, tenant, 'bola'), { posted: '60.00', available: '60.00' });
  });

  it('credits the settlement account when the other bank answers 00', async () => {
    const before = await balances(service, tenant, 'alice');
    const answer = await toBank(service, tenant, 'nip-00', 'alice', '0123456700', '5000.00');
    assert.equal(answer.status, 201, answer.text);
    const read = await readTransfer(service, tenant, 'nip-00');
    assert.equal(read['transfer_status'], 'TRANSFER-SUCCESS');
    assert.deepEqual((read['entries'] as { status: string }[]).map((entry) => entry.status), ['TRANSFER-PENDING', 'TRANSFER-SUCCESS']);
    const afterwards = await balances(service, tenant, 'alice');
    assert.equal(Number(before.posted) - Number(afterwards.posted), 5000);
    assert.equal((await balances(service, tenant, 'sys:settlement:nip:NGN')).posted, '-5000.00');
  });

  const definiteFailures: [string, string, string][] = [
    ['91', 'bank_unavailable', 'system_glitch'],
    ['96', 'system_malfunction', 'system_glitch'],
    ['51', 'insufficient_funds', 'insufficient_funds'],
    ['07', 'invalid_account', 'account_error'],
    ['92', 'routing_error', 'routing_error'],
    ['16', 'unknown_bank_code', 'routing_error'],
    ['05', 'do_not_honor', 'declined'],
  ];
  for (const [code, outcome, failureType] of definiteFailures) {
    it(`records a ${code} answer as a ${failureType} failure and reverses the hold automatically`, async () => {
      const before = await balances(service, tenant, 'alice');
      const answer = await toBank(service, tenant, `nip-${code}`, 'alice', `01234567${code}`, '250.00');
      assert.equal(answer.status, 502, answer.text);
      assert.deepEqual([answer.body['status'], (answer.body['error'] as { code: string; detail: string }).detail], ['failed', outcome]);
      const read = await readTransfer(service, tenant, `nip-${code}`);
      assert.equal(read['transfer_status'], 'TRANSFER-REVERSED');
      assert.match(String(read['reversal_id']), /^TXR-\d{4}-\d{6}$/);
      assert.deepEqual((read['entries'] as { status: string }[]).map((entry) => entry.status), ['TRANSFER-PENDING', 'TRANSFER-FAILED', 'TRANSFER-REVERSED']);
      const reversal = await call(service, 'GET', `/api/v1/transactions/reversals/${String(read['reversal_id'])}`, undefined, { token: tenant.keys['operator']! });
      assert.equal(reversal.status, 200, reversal.text);
      assert.equal((reversal.body['failed_transaction'] as { failure_type: string }).failure_type, failureType);
      assert.deepEqual(await balances(service, tenant, 'alice'), before);
    });
  }

  const uncertain: [string, string, string][] = [
    ['97', '0123456097', 'TRANSFER-SUCCESS'],
    ['97', '0123456197', 'TRANSFER-REVERSED'],
    ['01', '0123456201', 'TRANSFER-SUCCESS'],
    ['01', '0123456301', 'TRANSFER-REVERSED'],
    ['09', '0123456409', 'TRANSFER-SUCCESS'],
    ['09', '0123456509', 'TRANSFER-REVERSED'],
  ];
  for (const [code, account, settled] of uncertain) {
    it(`keeps a ${code} answer pending and lets the status query settle it (${account} → ${settled})`, async () => {
      const reference = `nip-${account}`;
      const before = await balances(service, tenant, 'alice');
      const answer = await toBank(service, tenant, reference, 'alice', account, '100.00');
      assert.equal(answer.status, 202, answer.text);
      assert.equal(answer.body['status'], 'pending');
      const held = await balances(service, tenant, 'alice');
      assert.equal(held.posted, before.posted);
      assert.equal(Number(before.available) - Number(held.available), 100);
      await requeryPendingTransfers(service.runtime.deps);
      const read = await readTransfer(service, tenant, reference);
      assert.equal(read['transfer_status'], settled);
      const expectedPosted = settled === 'TRANSFER-SUCCESS' ? Number(before.posted) - 100 : Number(before.posted);
      assert.equal(Number((await balances(service, tenant, 'alice')).posted), expectedPosted);
    });
  }

  it('goes on requerying the other transfers when settling one of them throws (V3)', async () => {
    for (const [reference, account] of [['tpoison-a', '0123456097'], ['tpoison-b', '0123456297']] as const) {
      const answer = await toBank(service, tenant, reference, 'alice', account, '100.00');
      assert.equal(answer.status, 202, answer.text);
    }
    // Whichever of the two the job reaches first cannot be committed (as a value the database refuses would).
    const failing = crashingOnce(service.runtime.deps.store,
      (changeset) => changeset.records?.some((record) => record.kind === 'transfer' && record.id.startsWith('tpoison-')) ?? false, 'simulated store failure');
    const report = await requeryPendingTransfers({ ...service.runtime.deps, store: failing });
    assert.equal(report.errors, 1, JSON.stringify(report));
    assert.match(report.errorReasons[0] ?? '', /^[^/]+\/tpoison-[ab]: Error: simulated store failure$/);
    const statuses = await Promise.all(['tpoison-a', 'tpoison-b'].map(async (reference) => (await readTransfer(service, tenant, reference))['transfer_status']));
    assert.deepEqual([...statuses].sort(), ['TRANSFER-PENDING', 'TRANSFER-SUCCESS'], 'the transfer after the failing one was settled');
    const next = await requeryPendingTransfers(service.runtime.deps);
    assert.equal(next.errors, 0, JSON.stringify(next));
    for (const reference of ['tpoison-a', 'tpoison-b']) assert.equal((await readTransfer(service, tenant, reference))['transfer_status'], 'TRANSFER-SUCCESS');
  });

  it('replays the first answer for the same request and refuses the reference for another', async () => {
    const first = await toBank(service, tenant, 'nip-replay', 'alice', '0123456700', '10.00');
    const again = await toBank(service, tenant, 'nip-replay', 'alice', '0123456700', '10.00');
    assert.equal(again.status, first.status);
    assert.equal(again.text, first.text);
    assert.equal(again.headers.get('idempotency-replayed'), 'true');
    const other = await toBank(service, tenant, 'nip-replay', 'alice', '0123456700', '11.00');
    assert.equal(other.status, 409);
    assert.equal((other.body['error'] as { code: string }).code, 'duplicate_transfer_reference');
  });

  it('replays by Idempotency-Key and refuses the key for another transfer', async () => {
    const body = { reference: 'keyed-1', sender_account_id: 'alice', amount: '12.00', currency: 'NGN', receiver: { bank_code: '999', account_number: '0123456700', account_name: 'Ada Obi' } };
    const send = (payload: Record<string, unknown>) => call(service, 'POST', '/api/v1/transfers', payload, { token: tenant.keys['service']!, headers: { 'idempotency-key': 'transfer-key-1' } });
    const first = await send(body);
    const again = await send(body);
    assert.equal(first.status, 201, first.text);
    assert.equal(again.text, first.text);
    assert.equal(again.headers.get('idempotency-replayed'), 'true');
    const other = await send({ ...body, reference: 'keyed-2' });
    assert.equal(other.status, 409, other.text);
    assert.equal((other.body['error'] as { code: string }).code, 'idempotency_key_reused');
    assert.equal((await call(service, 'GET', '/api/v1/transfers/keyed-2', undefined, { token: tenant.keys['operator']! })).status, 404);
  });

  it('refuses each bad request with its code and field', async () => {
    const cases: [Record<string, unknown>, number, string, string | undefined][] = [
      [{ reference: 'r1', sender_account_id: 'nobody', receiver: { account_id: 'alice' }, amount: '1.00' }, 422, 'unknown_account', 'sender_account_id'],
      [{ reference: 'r2', sender_account_id: 'alice', receiver: { account_id: 'nobody' }, amount: '1.00' }, 422, 'unknown_account', 'receiver.account_id'],
      [{ reference: 'r3', sender_account_id: 'alice', receiver: { account_id: 'alice' }, amount: '1.00' }, 422, 'account_mismatch', 'receiver.account_id'],
      [{ reference: 'r4', sender_account_id: 'alice', receiver: { account_id: 'alice-funding' }, amount: '1.00', currency: 'USD' }, 422, 'account_mismatch', 'sender_account_id'],
      [{ reference: 'r5', sender_account_id: 'alice', receiver: { account_id: 'alice-funding' }, amount: '99999999.00' }, 422, 'insufficient_funds', undefined],
      [{ reference: 'r6', sender_account_id: 'alice', receiver: { account_id: 'alice-funding' }, amount: 5 }, 400, 'invalid_amount', 'amount'],
      [{ reference: 'r7', sender_account_id: 'alice', receiver: { account_id: 'alice-funding' }, amount: '1.001' }, 400, 'invalid_amount', 'amount'],
      [{ reference: 'r8', sender_account_id: 'alice', receiver: { bank_code: '999', account_number: '12345', account_name: 'X' }, amount: '1.00' }, 400, 'invalid_request', 'receiver'],
      [{ reference: 'r9', sender_account_id: 'alice', receiver: { account_id: 'alice-funding' }, amount: '1.00', currency: 'XXX' }, 400, 'invalid_currency', 'currency'],
    ];
    for (const [body, status, code, field] of cases) {
      const answer = await transfer(service, tenant, body);
      assert.equal(answer.status, status, `${JSON.stringify(body)}: ${answer.text}`);
      const error = answer.body['error'] as { code: string; field?: string };
      assert.equal(error.code, code, answer.text);
      if (field !== undefined) assert.ok(error.field?.startsWith(field), `${answer.text} names ${field}`);
    }
    const other = await toBank(service, tenant, 'nip-big', 'alice', '0123456700', '99999999.00');
    assert.equal(other.status, 422, other.text);
  });

  it('refuses keys whose role may not send money', async () => {
    const answer = await transfer(service, tenant, { reference: 'role-1', sender_account_id: 'alice', receiver: { account_id: 'alice-funding' }, amount: '1.00' }, 'auditor');
    assert.equal(answer.status, 403);
  });

  it('answers 404 for a transfer of another tenant', async () => {
    const other = await createTenant(service, 'Other');
    const read = await call(service, 'GET', '/api/v1/transfers/nip-00', undefined, { token: other.keys['operator']! });
    assert.equal(read.status, 404);
  });
});

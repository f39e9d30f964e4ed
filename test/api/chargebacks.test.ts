// Chargebacks (R9) through the HTTP API: an open chargeback blocks refunds; won releases
// the block; lost keeps the amount out of what remains refundable and journals it. The
// chargebacks open on a payment never claim more than remains of it, whatever arrives at once.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Response, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { accountBalance, ledger, paid, payment, refund } from '../support/refunds.ts';
import { crashingOnce } from '../support/crashing-store.ts';
import { recordChargeback, resolveChargeback } from '../../src/app/chargebacks/chargebacks.ts';
import type { ApiKeyId, TenantId } from '../../src/domain/ids.ts';

describe('chargebacks', () => {
  let service: TestService;
  let tenant: Tenant;
  before(async () => {
    service = await startService();
    tenant = await createTenant(service);
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => service.close());
  const open = (id: string, amount: string, key?: string): Promise<Response> => call(service, 'POST', `/api/v1/payments/${id}/chargebacks`, { amount, reason_code: '13.1' }, {
    token: tenant.keys['operator']!, ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }),
  });
  const resolve = (id: string, outcome: string): Promise<Response> => call(service, 'POST', `/api/v1/chargebacks/${id}/resolve`, { outcome }, { token: tenant.keys['operator']! });
  const idOf = (response: Response): string => (response.body['chargeback'] as { chargeback_id: string }).chargeback_id;

  it('blocks refunds while open and releases them when won', async () => {
    await paid(service, tenant, 'cb-won', { cardNumber: '4000000000000259' });
    const opened = await open('cb-won', '60.00', 'cb-key');
    assert.equal(opened.status, 201, opened.text);
    assert.equal(opened.body['status'], 'open');
    const replay = await open('cb-won', '60.00', 'cb-key');
    assert.equal(replay.text, opened.text);
    assert.equal(replay.headers.get('idempotency-replayed'), 'true');
    assert.equal((await refund(service, tenant, 'cb-won', { amount: '1.00' })).status, 422);
    const won = await resolve(idOf(opened), 'won');
    assert.equal(won.status, 200, won.text);
    assert.equal(won.body['status'], 'won');
    assert.equal((await resolve(idOf(opened), 'won')).status, 200, 'resolving again the same way is harmless');
    assert.equal((await resolve(idOf(opened), 'lost')).status, 409);
    assert.equal((await payment(service, tenant, 'cb-won'))['refundable'], '100.00');
    assert.equal((await refund(service, tenant, 'cb-won', {})).status, 200);
  });

  it('takes a lost chargeback out of what remains refundable and journals it', async () => {
    await paid(service, tenant, 'cb-lost', { cardNumber: '4000000000000259' });
    assert.equal((await refund(service, tenant, 'cb-lost', { amount: '30.00' })).status, 200);
    const tooMuch = await open('cb-lost', '70.01');
    assert.equal(tooMuch.status, 422, tooMuch.text);
    assert.equal((tooMuch.body['error'] as { code: string }).code, 'chargeback_exceeds_captured');
    const opened = await open('cb-lost', '50.00');
    assert.equal((await resolve(idOf(opened), 'lost')).status, 200);
    const after = await payment(service, tenant, 'cb-lost');
    assert.deepEqual([after['refunded'], after['refundable']], ['30.00', '20.00']);
    const exceeded = await refund(service, tenant, 'cb-lost', { amount: '20.01' });
    assert.equal((exceeded.body['error'] as { code: string }).code, 'refund_exceeds_remaining');
    assert.equal((await refund(service, tenant, 'cb-lost', {})).status, 200);
    assert.equal((await payment(service, tenant, 'cb-lost'))['status'], 'REFUNDED');
    const lines = (await ledger(service, tenant, 'cb-lost')).transfers.filter((transfer) => transfer.code === 'chargeback');
    assert.deepEqual(lines.map((transfer) => [transfer.kind, transfer.amount]), [['posted', '50.00']]);
    const audited = async (): Promise<string[]> => ((await call(service, 'GET', '/api/v1/audit?transaction_id=cb-lost&limit=200', undefined, { token: tenant.keys['auditor']! }))
      .body['data'] as { action: string }[]).map((item) => item.action);
    const before = await audited();
    const listed = await call(service, 'GET', '/api/v1/payments/cb-lost/chargebacks', undefined, { token: tenant.keys['auditor']! });
    assert.deepEqual((listed.body['data'] as { status: string }[]).map((item) => item.status), ['lost']);
    // A2: the read of the chargebacks is audited like the read of the refunds.
    assert.deepEqual((await audited()).slice(before.length), ['chargeback.list']);
  });

  it('returns the same fee and tax with a refund whether a chargeback was lost before or after it (R4, R9)', async () => {
    // A lost chargeback returns no fee or tax, so a refund's share is that of what refunds
    // returned: 1.00 of 100.00 carrying a fee of 5.00 and a tax of 7.50 returns 0.05 and
    // 0.07 — not, after a chargeback of 99.00, the chargeback's share as well.
    const fees = [{ type: 'fee' as const, amount: '5.00' }, { type: 'tax' as const, amount: '7.50' }];
    const loseChargeback = async (own: Tenant): Promise<void> => {
      const opened = await call(service, 'POST', '/api/v1/payments/order/chargebacks', { amount: '99.00', reason_code: '13.1' }, { token: own.keys['operator']! });
      assert.equal(opened.status, 201, opened.text);
      assert.equal((await call(service, 'POST', `/api/v1/chargebacks/${idOf(opened)}/resolve`, { outcome: 'lost' }, { token: own.keys['operator']! })).status, 200);
    };
    const ends = async (own: Tenant, refunded: Response): Promise<string[]> => {
      assert.equal(refunded.status, 200, refunded.text);
      const view = refunded.body['refund'] as { fee_returned: string; tax_returned: string };
      const balances = await Promise.all(['sys:merchant:default:NGN', 'sys:fee_revenue:NGN', 'sys:tax_payable:NGN', 'sys:processor_clearing:simulator:NGN']
        .map(async (account) => String((await accountBalance(service, own, account))['posted'])));
      return [view.fee_returned, view.tax_returned, ...balances];
    };
    const refundFirst = await createTenant(service, 'refund first', { fee_refund_policy: 'refund' });
    await paid(service, refundFirst, 'order', { cardNumber: '4000000000000259', fees });
    const early = await refund(service, refundFirst, 'order', { amount: '1.00' });
    await loseChargeback(refundFirst);
    const chargebackFirst = await createTenant(service, 'chargeback first', { fee_refund_policy: 'refund' });
    await paid(service, chargebackFirst, 'order', { cardNumber: '4000000000000259', fees });
    await loseChargeback(chargebackFirst);
    const late = await refund(service, chargebackFirst, 'order', { amount: '1.00' });
    // Merchant: 87.50 settled − 99.00 lost − 1.00 refunded + 0.05 + 0.07 returned.
    const expected = ['0.05', '0.07', '-12.38', '4.95', '7.43', '0.00'];
    assert.deepEqual(await ends(refundFirst, early), expected);
    assert.deepEqual(await ends(chargebackFirst, late), expected);
  });

  it('counts the chargebacks still open against what remains, so that losing them all never takes more than was captured', async () => {
    await paid(service, tenant, 'cb-two', { cardNumber: '4000000000000259' });
    const first = await open('cb-two', '60.00');
    assert.equal(first.status, 201, first.text);
    const second = await open('cb-two', '60.00');
    assert.equal(second.status, 422, second.text);
    assert.equal((second.body['error'] as { code: string }).code, 'chargeback_exceeds_captured');
    assert.match(second.text, /40\.00/);
    const third = await open('cb-two', '40.00');
    assert.equal(third.status, 201, third.text);
    assert.equal((await resolve(idOf(first), 'won')).status, 200);
    assert.equal((await open('cb-two', '60.00')).status, 201, 'a chargeback won no longer claims anything');
    assert.equal((await open('cb-two', '0.01')).status, 422);
  });

  it('caps a new chargeback on the payment itself, never on a list of chargebacks an index may show late', async () => {
    await paid(service, tenant, 'cb-index', { cardNumber: '4000000000000259' });
    assert.equal((await open('cb-index', '60.00')).status, 201);
    // On DynamoDB a list by index key is read from a secondary index, which can miss what was just written.
    const store = service.runtime.deps.store;
    const noChargebackLists = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'listRecords') {
          return (tenantId: TenantId, kind: string, page: Parameters<typeof store.listRecords>[2]) => {
            if (kind === 'chargeback') throw new Error('the cap was read from a list of chargebacks');
            return target.listRecords(tenantId, kind, page);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const principal = { kind: 'api_key' as const, tenantId: tenant.tenantId as TenantId, apiKeyId: 'key_TEST' as ApiKeyId, role: 'operator' as const };
    const deps = { ...service.runtime.deps, store: noChargebackLists };
    const over = await recordChargeback(deps, principal, { transactionId: 'cb-index', amount: '60.00', reasonCode: '13.1' }, null);
    assert.ok(!over.ok && over.code === 'chargeback_exceeds_captured', JSON.stringify(over));
    assert.ok((await recordChargeback(deps, principal, { transactionId: 'cb-index', amount: '40.00', reasonCode: '13.1' }, null)).ok);
  });

  it('lets many chargebacks opened at once claim no more than was captured, and journals each lost one once', async () => {
    await paid(service, tenant, 'cb-many', { cardNumber: '4000000000000259' });
    const opened = await Promise.all(Array.from({ length: 8 }, () => open('cb-many', '30.00')));
    assert.deepEqual(opened.map((response) => response.status).sort(), [201, 201, 201, 422, 422, 422, 422, 422], opened.map((response) => response.text).join('\n'));
    const ids = opened.filter((response) => response.status === 201).map(idOf);
    // Every chargeback lost by two requests at once: one journal line each.
    const resolved = await Promise.all(ids.flatMap((id) => [resolve(id, 'lost'), resolve(id, 'lost')]));
    assert.ok(resolved.every((response) => response.status === 200), resolved.map((response) => response.text).join('\n'));
    const lines = (await ledger(service, tenant, 'cb-many')).transfers.filter((transfer) => transfer.code === 'chargeback');
    assert.deepEqual(lines.map((transfer) => transfer.amount), ['30.00', '30.00', '30.00']);
    const after = await payment(service, tenant, 'cb-many');
    assert.deepEqual([after['chargebacks_lost'], after['refundable'], after['open_chargebacks']], ['90.00', '10.00', 0]);
  });

  it('settles a chargeback won and lost at once one way only', async () => {
    await paid(service, tenant, 'cb-race', { cardNumber: '4000000000000259' });
    const opened = await open('cb-race', '25.00');
    const [won, lost] = await Promise.all([resolve(idOf(opened), 'won'), resolve(idOf(opened), 'lost')]);
    assert.deepEqual([won.status, lost.status].sort(), [200, 409], `${won.text}\n${lost.text}`);
    const outcome = won.status === 200 ? 'won' : 'lost';
    const lines = (await ledger(service, tenant, 'cb-race')).transfers.filter((transfer) => transfer.code === 'chargeback');
    assert.deepEqual(lines.map((transfer) => transfer.amount), outcome === 'lost' ? ['25.00'] : []);
    assert.equal((await payment(service, tenant, 'cb-race'))['chargebacks_lost'], outcome === 'lost' ? '25.00' : '0.00');
  });

  it('never lets a refund and a chargeback of the whole payment both through', async () => {
    await paid(service, tenant, 'cb-refund', { cardNumber: '4000000000000259' });
    const [refunded, charged] = await Promise.all([refund(service, tenant, 'cb-refund', {}), open('cb-refund', '100.00')]);
    assert.equal([refunded.status, charged.status].filter((status) => status === 200 || status === 201).length, 1, `${refunded.text}\n${charged.text}`);
  });

  it('replays a resolution sent again with its idempotency key, and refuses the key for another outcome', async () => {
    await paid(service, tenant, 'cb-key', { cardNumber: '4000000000000259' });
    const id = idOf(await open('cb-key', '10.00'));
    const resolveWith = (outcome: string): Promise<Response> => call(service, 'POST', `/api/v1/chargebacks/${id}/resolve`, { outcome }, {
      token: tenant.keys['operator']!, headers: { 'idempotency-key': 'cb-resolve-key' },
    });
    const first = await resolveWith('lost');
    assert.equal(first.status, 200, first.text);
    const again = await resolveWith('lost');
    assert.equal(again.text, first.text);
    assert.equal(again.headers.get('idempotency-replayed'), 'true');
    const other = await resolveWith('won');
    assert.equal(other.status, 409, other.text);
    assert.equal((other.body['error'] as { code: string }).code, 'idempotency_key_reused');
    assert.equal((await ledger(service, tenant, 'cb-key')).transfers.filter((transfer) => transfer.code === 'chargeback').length, 1);
  });

  it('leaves nothing of a lost chargeback whose commit died, and resolves it on the retry', async () => {
    await paid(service, tenant, 'cb-crash', { cardNumber: '4000000000000259' });
    const id = idOf(await open('cb-crash', '15.00'));
    const principal = { kind: 'api_key' as const, tenantId: tenant.tenantId as TenantId, apiKeyId: 'key_TEST' as ApiKeyId, role: 'operator' as const };
    const dying = crashingOnce(service.runtime.deps.store, (changeset) => changeset.transfers?.some((transfer) => transfer.code === 'chargeback') ?? false,
      'simulated crash while committing a lost chargeback');
    await assert.rejects(resolveChargeback({ ...service.runtime.deps, store: dying }, principal, { chargebackId: id, outcome: 'lost' }, null), /simulated crash/);
    assert.equal((await ledger(service, tenant, 'cb-crash')).transfers.filter((transfer) => transfer.code === 'chargeback').length, 0);
    assert.equal((await payment(service, tenant, 'cb-crash'))['open_chargebacks'], 1);
    assert.equal((await resolve(id, 'lost')).status, 200);
    const lines = (await ledger(service, tenant, 'cb-crash')).transfers.filter((transfer) => transfer.code === 'chargeback');
    assert.deepEqual(lines.map((transfer) => transfer.amount), ['15.00']);
  });

  it('refuses chargebacks of unknown payments, unknown chargebacks, bad outcomes and the wrong role', async () => {
    assert.equal((await open('nope', '1.00')).status, 404);
    assert.equal(((await resolve('cbk_nope', 'won')).body['error'] as { code: string }).code, 'chargeback_not_found');
    const badOutcome = await resolve('cbk_nope', 'maybe');
    assert.equal(badOutcome.status, 400);
    const auditor = await call(service, 'POST', '/api/v1/payments/nope/chargebacks', { amount: '1.00', reason_code: 'x' }, { token: tenant.keys['auditor']! });
    assert.equal(auditor.status, 403);
  });
});

// Accounts and the journal over HTTP (L4, L5): creation, balances on the normal side,
// cursor-paginated entries and balances as of a time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, paymentBody, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';

describe('accounts', () => {
  let service: TestService;
  let tenant: Tenant;
  before(async () => {
    service = await startService();
    tenant = await createTenant(service);
  });
  after(async () => {
    await assertLedgerBalances(service.runtime.deps.store);
    await service.close();
  });
  const operator = () => tenant.keys['operator']!;

  it('creates an account and reads zero balances', async () => {
    const created = await call(service, 'POST', '/api/v1/accounts', { account_id: 'shop-1', type: 'merchant', currency: 'USD', name: 'Shop one' }, { token: operator() });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body['account_id'], 'shop-1');
    assert.equal(created.body['allow_negative'], true);
    const read = await call(service, 'GET', '/api/v1/accounts/shop-1', undefined, { token: operator() });
    assert.equal(read.status, 200);
    assert.deepEqual((read.body['balances'] as Record<string, string>)['posted'], '0.00');
  });

  it('refuses a duplicate account id, a reserved id, a bad type and a bad currency', async () => {
    await call(service, 'POST', '/api/v1/accounts', { account_id: 'dup-acc', type: 'customer', currency: 'NGN' }, { token: operator() });
    const duplicate = await call(service, 'POST', '/api/v1/accounts', { account_id: 'dup-acc', type: 'customer', currency: 'NGN' }, { token: operator() });
    assert.equal(duplicate.status, 409);
    const reserved = await call(service, 'POST', '/api/v1/accounts', { account_id: 'sys:mine', type: 'customer', currency: 'NGN' }, { token: operator() });
    assert.equal(reserved.status, 400);
    assert.equal((reserved.body['error'] as { field: string }).field, 'account_id');
    const badType = await call(service, 'POST', '/api/v1/accounts', { type: 'wallet', currency: 'NGN' }, { token: operator() });
    assert.equal(badType.status, 400);
    assert.equal((badType.body['error'] as { field: string }).field, 'type');
    const badCurrency = await call(service, 'POST', '/api/v1/accounts', { type: 'customer', currency: 'ABC' }, { token: operator() });
    assert.equal(badCurrency.status, 400);
    assert.equal((badCurrency.body['error'] as { code: string }).code, 'invalid_currency');
  });

  it('replays an account creation under the same Idempotency-Key', async () => {
    const body = { account_id: 'idem-acc', type: 'merchant', currency: 'NGN' };
    const first = await call(service, 'POST', '/api/v1/accounts', body, { token: operator(), headers: { 'idempotency-key': 'acc-key-1' } });
    const second = await call(service, 'POST', '/api/v1/accounts', body, { token: operator(), headers: { 'idempotency-key': 'acc-key-1' } });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(second.text, first.text);
    assert.equal(second.headers.get('idempotency-replayed'), 'true');
  });

  it('pages through a merchant account\'s entries with a cursor and reads balances as of a time', async () => {
    await call(service, 'POST', '/api/v1/accounts', { account_id: 'paged-shop', type: 'merchant', currency: 'NGN' }, { token: operator() });
    const times: number[] = [];
    for (let index = 1; index <= 5; index++) {
      const response = await call(service, 'POST', '/api/v1/payments', paymentBody(`paged-${index}`, { amount: `${index}0.00`, merchant_account_id: 'paged-shop' }), { token: tenant.keys['service']! });
      assert.equal(response.status, 201, response.text);
      times.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
      const page = await call(service, 'GET', `/api/v1/accounts/paged-shop/entries${query}`, undefined, { token: operator() });
      assert.equal(page.status, 200, page.text);
      const data = page.body['data'] as { amount: string; direction: string }[];
      assert.ok(data.length <= 2);
      for (const entry of data) {
        assert.equal(entry.direction, 'credit');
        seen.push(entry.amount);
      }
      cursor = page.body['next_cursor'] as string | null;
    } while (cursor !== null);
    assert.deepEqual(seen, ['10.00', '20.00', '30.00', '40.00', '50.00']);
    const asOf = new Date(times[1]!).toISOString();
    const then = await call(service, 'GET', `/api/v1/accounts/paged-shop?as_of=${encodeURIComponent(asOf)}`, undefined, { token: operator() });
    assert.equal((then.body['balances'] as Record<string, string>)['posted'], '30.00');
    const now = await call(service, 'GET', '/api/v1/accounts/paged-shop', undefined, { token: operator() });
    assert.equal((now.body['balances'] as Record<string, string>)['posted'], '150.00');
  });

  it('refuses a forged cursor with a 400 naming the cursor', async () => {
    const response = await call(service, 'GET', '/api/v1/accounts/paged-shop/entries?cursor=Zm9yZ2Vk', undefined, { token: operator() });
    assert.equal(response.status, 400, response.text);
    assert.equal((response.body['error'] as { field: string }).field, 'cursor');
  });

  it('refuses, on every paged list, a cursor past the largest row number with a 400 naming the cursor', async () => {
    const cursor = Buffer.from('c1.9999999999999999999', 'utf8').toString('base64url');
    for (const path of ['/api/v1/accounts/paged-shop/entries', '/api/v1/reconciliations', '/api/v1/transactions/reversals/disputes', '/api/v1/audit']) {
      const response = await call(service, 'GET', `${path}?cursor=${cursor}`, undefined, { token: tenant.keys['auditor']! });
      assert.equal(response.status, 400, `${path}: ${response.text}`);
      assert.equal((response.body['error'] as { field: string }).field, 'cursor', path);
    }
  });

  it('answers 404 for another tenant\'s account', async () => {
    const other = await createTenant(service, 'Other');
    const response = await call(service, 'GET', '/api/v1/accounts/shop-1', undefined, { token: other.keys['operator']! });
    assert.equal(response.status, 404);
  });
});

// R7 through the HTTP API: a payment captured in USD and settled to the merchant in NGN
// records the rate; both amounts and the rate appear in the ledger; refunds in parts use
// the recorded rate and, converted cumulatively, return exactly what was settled; lost
// chargebacks and rollbacks keep the running total; every account nets back to zero.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, paymentBody, type Response, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { accountBalance, ledger, payment, refund } from '../support/refunds.ts';

describe('refunds of payments settled in another currency (R7)', () => {
  let service: TestService;
  let tenant: Tenant;
  before(async () => {
    service = await startService();
    tenant = await createTenant(service, 'FX merchant', { fee_refund_policy: 'refund' });
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => service.close());
  const pay = (id: string, overrides: Record<string, unknown> = {}): Promise<Response> => call(service, 'POST', '/api/v1/payments', paymentBody(id, {
    currency: 'USD', settlement_currency: 'NGN', fx_rate: '1550.25', ...overrides,
  }), { token: tenant.keys['service']! });
  const errorOf = (response: Response): { code: string; field?: string } => response.body['error'] as { code: string; field?: string };

  it('records the rate and both amounts at capture, and refunds in parts return exactly what was settled', async () => {
    const created = await pay('fx-1', { fees: [{ type: 'fee', amount: '3.00' }, { type: 'tax', amount: '0.75' }] });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual((await payment(service, tenant, 'fx-1'))['settlement'], { currency: 'NGN', rate: '1550.25', amount: '155025.00', returned: '0.00' });
    const captured = await ledger(service, tenant, 'fx-1');
    const success = captured.entries.find((entry) => entry.status === 'PAYMENT-SUCCESS') as unknown as { details: Record<string, unknown> };
    assert.deepEqual(success.details['settlement'], { currency: 'NGN', rate: '1550.25', amount: '155025.00' });
    assert.equal(success.details['amount'], '100.00');
    const lines = captured.transfers.map((transfer) => [transfer.code, transfer.amount, (transfer as unknown as { currency: string }).currency]);
    // 3.00 × 1550.25 = 4650.75; 0.75 × 1550.25 = 1162.6875 → 1162.69 (half to even).
    assert.deepEqual(lines, [['payment', '100.00', 'USD'], ['payment_fx', '155025.00', 'NGN'], ['fee', '4650.75', 'NGN'], ['tax', '1162.69', 'NGN']]);
    assert.equal((await accountBalance(service, tenant, 'sys:merchant:default:NGN'))['posted'], '149211.56');

    const parts: unknown[] = [];
    for (const amount of ['33.33', '33.33', '33.34']) {
      const refunded = await refund(service, tenant, 'fx-1', { amount });
      assert.equal(refunded.status, 200, refunded.text);
      const view = refunded.body['refund'] as { settlement: { amount: string; rate: string }; tax_returned: string; fee_returned: string };
      parts.push([view.settlement.amount, view.settlement.rate, view.fee_returned, view.tax_returned]);
    }
    // Principal, cumulatively converted: 51669.8325 → 51669.83; 103339.665 → 103339.66 (to
    // even); then the rest of 155025.00. Fee and tax shares are cumulative floors of the
    // converted charges: floor(116269 × 0.3333) = 38752, floor(116269 × 0.6666) = 77504, then 116269.
    assert.deepEqual(parts, [
      ['51669.83', '1550.25', '1550.09', '387.52'],
      ['51669.83', '1550.25', '1550.09', '387.52'],
      ['51685.34', '1550.25', '1550.57', '387.65'],
    ]);
    assert.deepEqual((await payment(service, tenant, 'fx-1'))['settlement'], { currency: 'NGN', rate: '1550.25', amount: '155025.00', returned: '155025.00' });
    for (const account of ['sys:merchant:default:NGN', 'sys:fee_revenue:NGN', 'sys:tax_payable:NGN', 'sys:fx_position:USD', 'sys:fx_position:NGN', 'sys:processor_clearing:simulator:USD']) {
      assert.equal((await accountBalance(service, tenant, account))['posted'], '0.00', account);
    }
  });

  it('converts fees and taxes cumulatively, so they never take more from the merchant than the payment brought', async () => {
    const shop = await call(service, 'POST', '/api/v1/accounts', { account_id: 'shop-eur', type: 'merchant', currency: 'EUR', allow_negative: false }, { token: tenant.keys['operator']! });
    assert.equal(shop.status, 201, shop.text);
    const fees = [{ type: 'fee', amount: '0.01' }, { type: 'fee', amount: '0.01' }, { type: 'tax', amount: '0.01' }];
    const created = await pay('fx-cents', { amount: '0.03', settlement_currency: 'EUR', fx_rate: '1.5', merchant_account_id: 'shop-eur', fees });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body['status'], 'PAYMENT-SUCCESS');
    // 0.03 USD × 1.5 = 0.045 → 0.04 EUR (half to even). Each 0.01 on its own would be 0.015 → 0.02,
    // 0.06 in all; cumulatively: 0.015 → 0.02, 0.03 → 0.03, 0.045 → 0.04, so the lines are 0.02, 0.01, 0.01.
    const lines = (await ledger(service, tenant, 'fx-cents')).transfers.map((transfer) => [transfer.code, transfer.amount]);
    assert.deepEqual(lines, [['payment', '0.03'], ['payment_fx', '0.04'], ['fee', '0.02'], ['fee', '0.01'], ['tax', '0.01']]);
    assert.equal((await accountBalance(service, tenant, 'shop-eur'))['posted'], '0.00');
    // A full refund returns the same converted lines: 0.04 from the merchant, 0.03 fees and 0.01 tax back.
    assert.equal((await pay('fx-cents-2', { amount: '0.03', settlement_currency: 'EUR', fx_rate: '1.5', fees })).status, 201);
    const refunded = await refund(service, tenant, 'fx-cents-2', {});
    assert.equal(refunded.status, 200, refunded.text);
    const view = refunded.body['refund'] as { settlement: { amount: string }; fee_returned: string; tax_returned: string };
    assert.deepEqual([view.settlement.amount, view.fee_returned, view.tax_returned], ['0.04', '0.03', '0.01']);
    // What is left is fx-cents, not refunded: its fees and tax, and the merchant at zero.
    const left = { 'shop-eur': '0.00', 'sys:merchant:default:EUR': '0.00', 'sys:fee_revenue:EUR': '0.03', 'sys:tax_payable:EUR': '0.01' };
    for (const [account, posted] of Object.entries(left)) assert.equal((await accountBalance(service, tenant, account))['posted'], posted, account);
  });

  it('keeps the running total through a decline, a rollback and a lost chargeback', async () => {
    assert.equal((await pay('fx-2')).status, 201);
    assert.equal((await refund(service, tenant, 'fx-2', { amount: '10.00' })).status, 200);
    const undo = await call(service, 'POST', '/api/v1/refunds/fx-2-REFUND/rollback', { reason: 'wrong order' }, { token: tenant.keys['approver']! });
    assert.equal(undo.status, 200, undo.text);
    assert.equal(((await payment(service, tenant, 'fx-2'))['settlement'] as { returned: string }).returned, '0.00');
    const opened = await call(service, 'POST', '/api/v1/payments/fx-2/chargebacks', { amount: '40.00', reason_code: '13.1' }, { token: tenant.keys['operator']! });
    const id = (opened.body['chargeback'] as { chargeback_id: string }).chargeback_id;
    assert.equal((await call(service, 'POST', `/api/v1/chargebacks/${id}/resolve`, { outcome: 'lost' }, { token: tenant.keys['operator']! })).status, 200);
    assert.equal(((await payment(service, tenant, 'fx-2'))['settlement'] as { returned: string }).returned, '62010.00');
    assert.equal((await refund(service, tenant, 'fx-2', {})).status, 200);
    assert.equal(((await payment(service, tenant, 'fx-2'))['settlement'] as { returned: string }).returned, '155025.00');

    await call(service, 'POST', '/api/v1/payments', paymentBody('fx-declined', { currency: 'USD', settlement_currency: 'NGN', fx_rate: '1550.25', card: { number: '4000000000005126', exp_month: 12, exp_year: 2040, cvc: '123' } }), { token: tenant.keys['service']! });
    assert.equal((await refund(service, tenant, 'fx-declined', { amount: '1.00' })).status, 502);
    assert.equal(((await payment(service, tenant, 'fx-declined'))['settlement'] as { returned: string }).returned, '0.00', 'a declined refund releases its share');
  });

  it('refunds the parts whose settlement share an earlier part\'s rounding already took back, down to the last (R3, R7)', async () => {
    const own = await createTenant(service, 'Naira payments settled in dollars');
    const created = await call(service, 'POST', '/api/v1/payments', paymentBody('fx-rest', { currency: 'NGN', settlement_currency: 'USD', fx_rate: '0.000643' }), { token: own.keys['service']! });
    assert.equal(created.status, 201, created.text);
    // 100.00 NGN settled 0.0643 → 0.06 USD. 85.55 NGN converts to 0.0550 → 0.06: the whole
    // of it. Every later part converts cumulatively to nothing more, so the merchant gives
    // nothing back in USD: no merchant line, the FX position alone returns the naira to clearing.
    const settledOf = (response: Response): string => {
      assert.equal(response.status, 200, response.text);
      return (response.body['refund'] as { settlement: { amount: string } }).settlement.amount;
    };
    const first = await refund(service, own, 'fx-rest', { amount: '85.55' });
    assert.equal(settledOf(first), '0.06');
    const middle = await refund(service, own, 'fx-rest', { amount: '10.00' });
    assert.equal(settledOf(middle), '0.00');
    const undo = await call(service, 'POST', '/api/v1/refunds/fx-rest-REFUND-2/rollback', { reason: 'wrong order' }, { token: own.keys['approver']! });
    assert.equal(undo.status, 200, undo.text);
    const rest = await refund(service, own, 'fx-rest', {});
    assert.equal(settledOf(rest), '0.00');
    const after = await payment(service, own, 'fx-rest');
    assert.deepEqual([after['status'], after['refundable'], (after['settlement'] as { returned: string }).returned], ['REFUNDED', '0.00', '0.06']);
    const lastRefund = await call(service, 'GET', '/api/v1/refunds/fx-rest-REFUND-3', undefined, { token: own.keys['operator']! });
    const lastIds = (lastRefund.body['entries'] as { transfer_ids: string[] }[]).flatMap((entry) => entry.transfer_ids);
    const lastLines = (await ledger(service, own, 'fx-rest')).transfers
      .map((transfer) => transfer as unknown as { transfer_id: string; code: string; kind: string; amount: string; currency: string })
      .filter((transfer) => lastIds.includes(transfer.transfer_id))
      .map((transfer) => [transfer.code, transfer.kind, transfer.amount, transfer.currency]);
    assert.deepEqual(lastLines, [['refund_counter', 'pending', '14.45', 'NGN'], ['refund_counter', 'post_pending', '14.45', 'NGN']]);
    for (const account of ['sys:merchant:default:USD', 'sys:fx_position:USD', 'sys:fx_position:NGN', 'sys:processor_clearing:simulator:NGN']) {
      assert.equal((await accountBalance(service, own, account))['posted'], '0.00', account);
    }
  });

  it('refuses a missing, malformed or misplaced fx_rate, a merchant account in the wrong currency, and a refund that converts to nothing', async () => {
    const missing = await pay('fx-bad-1', { fx_rate: undefined });
    assert.equal(missing.status, 400, missing.text);
    assert.deepEqual([errorOf(missing).code, errorOf(missing).field], ['invalid_fx_rate', 'fx_rate']);
    for (const rate of ['-2', '0', '1e3', 'abc']) assert.equal(errorOf(await pay('fx-bad-2', { fx_rate: rate })).code, 'invalid_fx_rate', rate);
    const numeric = await pay('fx-bad-3', { fx_rate: 1550.25 });
    assert.deepEqual([numeric.status, errorOf(numeric).code], [400, 'invalid_fx_rate']);
    const withoutCurrency = await pay('fx-bad-4', { settlement_currency: undefined });
    assert.deepEqual([withoutCurrency.status, errorOf(withoutCurrency).field], [400, 'fx_rate']);
    const badCurrency = await pay('fx-bad-5', { settlement_currency: 'XYZ' });
    assert.deepEqual([badCurrency.status, errorOf(badCurrency).code, errorOf(badCurrency).field], [400, 'invalid_currency', 'settlement_currency']);
    await call(service, 'POST', '/api/v1/accounts', { account_id: 'shop-usd', type: 'merchant', currency: 'USD' }, { token: tenant.keys['admin']! });
    const wrongMerchant = await pay('fx-bad-6', { merchant_account_id: 'shop-usd' });
    assert.deepEqual([wrongMerchant.status, errorOf(wrongMerchant).code], [422, 'account_mismatch']);
    const naira = await pay('fx-ngn', { currency: 'NGN', settlement_currency: 'USD', fx_rate: '0.000643' });
    assert.equal(naira.status, 201, naira.text);
    const tiny = await refund(service, tenant, 'fx-ngn', { amount: '0.01' });
    assert.deepEqual([tiny.status, errorOf(tiny).code], [422, 'refund_too_small']);
    assert.equal((await refund(service, tenant, 'fx-ngn', {})).status, 200);
  });
});

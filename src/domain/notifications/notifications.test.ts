// Notification templates and the retry schedule (N1).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTemplate } from './notification-templates.ts';
import { afterFailure, deliveryAttemptsMax, deliveryBackoffCapMs, retryDelayMs } from './delivery-schedule.ts';

describe('notification templates', () => {
  it("renders the seed's reversal message with naira formatting and the reference", () => {
    const rendered = renderTemplate('reversal.completed', { amount_minor: '500000', currency: 'NGN', reversal_reference: 'TXR-2026-000123' });
    assert.ok(rendered.ok);
    assert.equal(rendered.value.subject, 'Transaction Reversal Confirmation');
    assert.match(rendered.value.text, /^Your transaction of ₦5,000\.00 has been reversed due to a failed transfer\./);
    assert.match(rendered.value.text, /Reference: TXR-2026-000123$/);
  });
  it('formats large amounts with thousands separators and other currencies with their symbol', () => {
    const naira = renderTemplate('dispute.overdue', { dispute_reference: 'DSP-1', due_at: '2026-12-01', penalty_minor: '123456789', currency: 'NGN' });
    assert.ok(naira.ok);
    assert.match(naira.value.text, /₦1,234,567\.89\.$/);
    const approval = renderTemplate('reversal.approval_needed', { amount_minor: '1200', currency: 'JPY', reversal_reference: 'TXR-2026-000001', requested_by: 'key_1', reason: 'customer report' });
    assert.ok(approval.ok);
    assert.match(approval.value.text, /¥1,200/);
  });
  it('tells operations a reconciliation run failed, with the reason and where to read it, and refuses an overlong reason', () => {
    const failed = renderTemplate('reconciliation.failed', { run_id: 'rec_01', type: 'batch_eod', failure: 'Error: the store is unreachable' });
    assert.ok(failed.ok);
    assert.equal(failed.value.subject, 'Reconciliation rec_01 failed');
    assert.match(failed.value.text, /^The batch_eod reconciliation rec_01 stopped before it finished: Error: the store is unreachable\. /);
    assert.match(failed.value.text, /GET \/api\/v1\/reconciliations\/rec_01\.$/);
    const long = renderTemplate('reconciliation.failed', { run_id: 'rec_01', type: 'real_time', failure: 'x'.repeat(301) });
    assert.deepEqual(long.ok ? null : long.field, 'failure');
  });
  it('refuses data that does not fit the template, naming the field', () => {
    const missing = renderTemplate('reversal.completed', { amount_minor: '100', currency: 'NGN' });
    assert.deepEqual(missing.ok ? null : [missing.code, missing.field], ['invalid_notification_data', 'reversal_reference']);
    const number = renderTemplate('reversal.completed', { amount_minor: 100, currency: 'NGN', reversal_reference: 'x' });
    assert.deepEqual(number.ok ? null : number.field, 'amount_minor');
    const extra = renderTemplate('reversal.completed', { amount_minor: '100', currency: 'NGN', reversal_reference: 'x', card: '4242' });
    assert.equal(extra.ok, false);
  });
});

describe('delivery retry schedule', () => {
  it('doubles the wait after each failure, within a quarter of jitter, up to the cap', () => {
    let previous = 0;
    for (let attempt = 1; attempt <= 8; attempt++) {
      const delay = retryDelayMs('ntf_1', attempt);
      const base = 1_000 * 2 ** (attempt - 1);
      assert.ok(delay >= base && delay <= base * 1.25, `attempt ${attempt}: ${delay}`);
      assert.ok(delay > previous);
      previous = delay;
    }
    assert.ok(retryDelayMs('ntf_1', 30) <= deliveryBackoffCapMs * 1.25);
    assert.equal(retryDelayMs('ntf_1', 3), retryDelayMs('ntf_1', 3), 'deterministic');
  });
  it('retries a retryable failure, and dead-letters after the last attempt or a refusal', () => {
    assert.deepEqual(afterFailure('n', 1, { retryable: true, reason: 'HTTP 503' }, 1_000), { next: 'retry', nextAttemptAt: 1_000 + retryDelayMs('n', 1) });
    assert.equal(afterFailure('n', deliveryAttemptsMax, { retryable: true, reason: 'HTTP 503' }, 0).next, 'dead');
    const refused = afterFailure('n', 1, { retryable: false, reason: 'HTTP 400' }, 0);
    assert.deepEqual(refused, { next: 'dead', reason: 'refused by the receiver: HTTP 400' });
  });
});

// The Converge adapter against a local stand-in serving the fixtures in
// test/fixtures/converge (written from Converge's documented reply shape, not captured
// from a real account): what each reply normalizes to, what the request carries, and
// what happens when the reply is garbage, missing or late.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { AuthorizeRequest, ProcessorReply } from '../../../app/ports/card-processor.ts';
import { callWithTimeout } from '../../../app/processor-timeout.ts';
import { convergeNormalizationTable } from '../../../domain/processors/converge-codes.ts';
import { normalizeReply } from '../../../domain/processors/normalize.ts';
import type { ProcessorOutcome } from '../../../domain/processors/outcome.ts';
import { startConvergeServer, type ConvergeServer } from '../../../../test/support/converge-server.ts';
import { ConvergeProcessor, merchantReferenceFor } from './converge-processor.ts';

const credentials = { merchantId: '0012345', userId: 'apiuser000001', pin: 'PIN-7F3A9C1E5B2D8F4A6C0E' };
const sale: AuthorizeRequest = {
  idempotencyKey: 'contra:tenant-1:payment:order-1', amountMinor: 10_000n, currency: 'USD',
  card: { number: '4242424242424242', expMonth: 3, expYear: 2040, cvc: '737' },
};
const outcomeOf = (reply: ProcessorReply): ProcessorOutcome => normalizeReply(convergeNormalizationTable, 'converge', reply);

describe('converge processor over HTTP', () => {
  let server: ConvergeServer;
  let processor: ConvergeProcessor;
  before(async () => {
    server = await startConvergeServer();
    processor = new ConvergeProcessor({ url: server.url, ...credentials });
  });
  beforeEach(() => {
    server.requests.length = 0;
  });
  after(async () => server.close());

  const serve = (fixture: string, status = 200): void => {
    server.answer = () => ({ fixture, status });
  };
  const authorize = async (): Promise<ProcessorOutcome> => outcomeOf(await processor.authorize(sale, new AbortController().signal));

  it('sends a ccsale form with the credentials, card, amount, currency and our reference', async () => {
    serve('sale-approved.xml');
    await authorize();
    assert.equal(server.requests.length, 1);
    const request = server.requests[0];
    assert.equal(request?.contentType, 'application/x-www-form-urlencoded');
    assert.deepEqual(request.fields, {
      ssl_merchant_id: '0012345', ssl_user_id: 'apiuser000001', ssl_pin: credentials.pin,
      ssl_transaction_type: 'ccsale', ssl_card_number: '4242424242424242', ssl_exp_date: '0340',
      ssl_cvv2cvc2_indicator: '1', ssl_cvv2cvc2: '737', ssl_amount: '100.00', ssl_transaction_currency: 'USD',
      ssl_invoice_number: merchantReferenceFor(sale.idempotencyKey),
    });
    assert.match(merchantReferenceFor(sale.idempotencyKey), /^[0-9a-f]{25}$/);
  });

  it('leaves the CVV out when the port gives none (a re-sent authorization)', async () => {
    serve('sale-approved.xml');
    await processor.authorize({ ...sale, card: { number: '4242424242424242', expMonth: 12, expYear: 2040 } }, new AbortController().signal);
    assert.equal(server.requests[0]?.fields['ssl_cvv2cvc2'], undefined);
    assert.equal(server.requests[0]?.fields['ssl_exp_date'], '1240');
  });

  const sales: [fixture: string, kind: string, code: string, retryable: boolean][] = [
    ['sale-approved.xml', 'approved', 'approved', false],
    ['sale-declined.xml', 'declined', 'declined', false],
    ['sale-declined-nsf.xml', 'declined', 'insufficient_funds', false],
    ['sale-call-auth-center.xml', 'declined', 'call_issuer', false],
    ['sale-partial-approval.xml', 'pending', 'partial_approval', true],
    ['sale-unknown-message.xml', 'pending', 'unknown_code', true],
    ['error-invalid-credentials.xml', 'error', 'processor_configuration', false],
    ['error-invalid-card.xml', 'error', 'invalid_card_number', false],
    ['error-system-unavailable.xml', 'error', 'processor_unavailable', true],
    ['error-gateway-no-response.xml', 'pending', 'processor_no_response', true],
  ];
  for (const [fixture, kind, code, retryable] of sales) {
    it(`normalizes ${fixture} to ${kind}/${code}`, async () => {
      serve(fixture);
      const outcome = await authorize();
      assert.deepEqual([outcome.kind, outcome.code, outcome.retryable], [kind, code, retryable]);
    });
  }

  it('keeps the approved reply\'s fields as the raw reply, with the transaction id as the reference', async () => {
    serve('sale-approved.xml');
    const reply = await processor.authorize(sale, new AbortController().signal);
    assert.equal(reply.kind, 'reply');
    assert.equal(reply.raw['ssl_approval_code'], 'CMC142');
    assert.equal(outcomeOf(reply).processorReference, '301126A15-9A1B2C3D-4E5F-4A6B-8C7D-0E1F2A3B4C5D');
  });

  for (const [fixture, status] of [['html-error.html', 502], ['empty.xml', 200], ['html-error.html', 200], ['empty.xml', 503]] as const) {
    it(`treats ${fixture} with HTTP ${status} as an unknown outcome, never an approval`, async () => {
      serve(fixture, status);
      const reply = await processor.authorize(sale, new AbortController().signal);
      const outcome = outcomeOf(reply);
      assert.deepEqual([outcome.kind, outcome.code, outcome.retryable], ['pending', 'unreadable_reply', true]);
      assert.equal(reply.kind === 'reply' ? reply.raw['http_status'] : null, status);
    });
  }

  it('answers no_answer/timeout when the server never replies before the deadline', async () => {
    server.answer = () => 'never';
    const reply = await callWithTimeout((signal) => processor.authorize(sale, signal), new AbortController().signal, 200);
    assert.deepEqual(reply, { kind: 'no_answer', reason: 'timeout' });
    assert.deepEqual([outcomeOf(reply).kind, outcomeOf(reply).code], ['pending', 'timeout']);
  });

  it('answers no_answer/network when nothing listens', async () => {
    const closed = await startConvergeServer();
    await closed.close();
    const offline = new ConvergeProcessor({ url: closed.url, ...credentials });
    assert.deepEqual(await offline.authorize(sale, new AbortController().signal), { kind: 'no_answer', reason: 'network' });
  });

  it('sends a ccreturn of the sale\'s transaction id with the refund amount', async () => {
    serve('return-approved.xml');
    const reply = await processor.refund({ idempotencyKey: 'contra:tenant-1:refund:order-1-REFUND', processorReference: 'SALE-TXN-1', amountMinor: 4_000n, currency: 'USD' }, new AbortController().signal);
    assert.equal(outcomeOf(reply).kind, 'approved');
    const fields = server.requests[0]?.fields ?? {};
    assert.deepEqual([fields['ssl_transaction_type'], fields['ssl_txn_id'], fields['ssl_amount'], fields['ssl_card_number']], ['ccreturn', 'SALE-TXN-1', '40.00', undefined]);
    assert.equal(fields['ssl_invoice_number'], merchantReferenceFor('contra:tenant-1:refund:order-1-REFUND'));
  });

  const statuses: [status: string, kind: string, code: string][] = [
    ['STL', 'approved', 'approved'], ['PEN', 'pending', 'processor_pending'], ['OPN', 'pending', 'processor_open'],
    ['REV', 'pending', 'processor_review'], ['PST', 'declined', 'post_auth_rule'], ['FPR', 'declined', 'fraud_rule'],
    ['PRE', 'declined', 'pre_auth_rule'],
  ];
  for (const [status, kind, code] of statuses) {
    it(`normalizes a txnquery answering ${status} to ${kind}/${code}`, async () => {
      serve(`txnquery-${status}.xml`);
      const outcome = outcomeOf(await processor.query({ amountMinor: 10_000n, currency: 'USD', idempotencyKey: 'k', processorReference: 'TXN-1' }, new AbortController().signal));
      assert.deepEqual([outcome.kind, outcome.code], [kind, code]);
      assert.deepEqual(server.requests[0]?.fields, { ...credentialFields(), ssl_transaction_type: 'txnquery', ssl_txn_id: 'TXN-1' });
    });
  }

  it('reads a txnquery of a declined sale as declined, and an empty list as unknown', async () => {
    serve('txnquery-declined.xml');
    assert.equal(outcomeOf(await processor.query({ amountMinor: 10_000n, currency: 'USD', idempotencyKey: 'k', processorReference: 'TXN-1' }, new AbortController().signal)).kind, 'declined');
    serve('txnquery-none.xml');
    assert.equal(outcomeOf(await processor.query({ amountMinor: 10_000n, currency: 'USD', idempotencyKey: 'k', processorReference: 'TXN-1' }, new AbortController().signal)).code, 'unreadable_reply');
  });

  it('never reads an approval for another amount as ours: pending amount_mismatch, Converge\'s reply kept whole', async () => {
    serve('sale-approved.xml'); // approves 100.00
    const reply = await processor.authorize({ ...sale, amountMinor: 10_050n }, new AbortController().signal);
    const outcome = outcomeOf(reply);
    assert.deepEqual([outcome.kind, outcome.code, outcome.retryable], ['pending', 'amount_mismatch', true]);
    assert.equal(outcome.processorReference, '301126A15-9A1B2C3D-4E5F-4A6B-8C7D-0E1F2A3B4C5D');
    assert.equal(reply.kind === 'reply' ? reply.raw['ssl_approval_code'] : null, 'CMC142');
    assert.deepEqual(reply.kind === 'reply' ? reply.raw['contra_amount_mismatch'] : null, { requested: '100.50', processor: '100.00' });
  });

  it('reads a settled txnquery of a partial approval as amount_mismatch, never as settled', async () => {
    serve('txnquery-STL-partial.xml'); // settled 60.00
    const outcome = outcomeOf(await processor.query({ amountMinor: 10_000n, currency: 'USD', idempotencyKey: 'k', processorReference: 'TXN-1' }, new AbortController().signal));
    assert.deepEqual([outcome.kind, outcome.code], ['pending', 'amount_mismatch']);
  });

  it('reads Converge\'s two decimals for a currency without them: 1200.00 yen is 1200 yen', async () => {
    serve('sale-approved-jpy.xml');
    const exact = outcomeOf(await processor.authorize({ ...sale, amountMinor: 1_200n, currency: 'JPY' }, new AbortController().signal));
    assert.equal(exact.kind, 'approved');
    serve('sale-approved-jpy.xml');
    const other = outcomeOf(await processor.authorize({ ...sale, amountMinor: 120_000n, currency: 'JPY' }, new AbortController().signal));
    assert.equal(other.code, 'amount_mismatch');
  });

  it('does not query without a processor reference (txnquery cannot search by ours): the outcome stays unknown', async () => {
    const reply = await processor.query({ amountMinor: 10_000n, currency: 'USD', idempotencyKey: 'k' }, new AbortController().signal);
    assert.equal(outcomeOf(reply).kind, 'pending');
    assert.equal(server.requests.length, 0);
  });
});

function credentialFields(): Record<string, string> {
  return { ssl_merchant_id: credentials.merchantId, ssl_user_id: credentials.userId, ssl_pin: credentials.pin };
}

// Specification of the simulator card processor (docs/API.md, "Simulator test inputs"):
// every test card through authorize and normalization, late answers found by requery,
// refunds, and the determinism that makes a retry after a crash safe.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthorizeRequest, ProcessorReply } from '../../../app/ports/card-processor.ts';
import { normalizeReply } from '../../../domain/processors/normalize.ts';
import type { ProcessorOutcome } from '../../../domain/processors/outcome.ts';
import { simulatorNormalizationTable } from '../../../domain/processors/simulator-codes.ts';
import { SimulatorProcessor } from './simulator-processor.ts';

const signal = () => new AbortController().signal;
const outcomeOf = (reply: ProcessorReply): ProcessorOutcome => normalizeReply(simulatorNormalizationTable, 'simulator', reply);
const authorizeRequest = (cardNumber: string, idempotencyKey: string): AuthorizeRequest => ({
  idempotencyKey, amountMinor: 10_000n, currency: 'NGN', card: { number: cardNumber, expMonth: 12, expYear: 2040, cvc: '123' },
});

async function authorize(simulator: SimulatorProcessor, cardNumber: string, idempotencyKey: string): Promise<ProcessorOutcome> {
  return outcomeOf(await simulator.authorize(authorizeRequest(cardNumber, idempotencyKey), signal()));
}

/** An approved sale's reference, for refund tests. */
async function approvedSale(simulator: SimulatorProcessor, cardNumber: string, idempotencyKey: string): Promise<string> {
  const outcome = await authorize(simulator, cardNumber, idempotencyKey);
  assert.equal(outcome.kind, 'approved');
  assert.ok(outcome.processorReference !== undefined);
  return outcome.processorReference;
}

async function refund(simulator: SimulatorProcessor, processorReference: string, idempotencyKey: string): Promise<ProcessorOutcome> {
  return outcomeOf(await simulator.refund({ idempotencyKey, processorReference, amountMinor: 5_000n, currency: 'NGN' }, signal()));
}

describe('simulator: authorization by card', () => {
  const cards: { card: string; kind: string; code: string; retryable: boolean; hasReference: boolean }[] = [
    { card: '4242424242424242', kind: 'approved', code: 'approved', retryable: false, hasReference: true },
    { card: '4000000000000002', kind: 'declined', code: 'do_not_honor', retryable: false, hasReference: true },
    { card: '4000000000009995', kind: 'declined', code: 'insufficient_funds', retryable: false, hasReference: true },
    { card: '4000000000000119', kind: 'error', code: 'processor_error', retryable: true, hasReference: false },
    { card: '4000000000003220', kind: 'pending', code: 'timeout', retryable: true, hasReference: false },
    { card: '4000000000005126', kind: 'approved', code: 'approved', retryable: false, hasReference: true },
    { card: '4000000000007726', kind: 'approved', code: 'approved', retryable: false, hasReference: true },
    { card: '4000000000000259', kind: 'approved', code: 'approved', retryable: false, hasReference: true },
    { card: '5555555555554444', kind: 'approved', code: 'approved', retryable: false, hasReference: true },
    { card: '4242424242424241', kind: 'error', code: 'invalid_card_number', retryable: false, hasReference: false },
    { card: '42424242', kind: 'error', code: 'invalid_card_number', retryable: false, hasReference: false },
  ];
  for (const { card, kind, code, retryable, hasReference } of cards) {
    it(`answers ${kind} (${code}) for card ${card}`, async () => {
      const outcome = await authorize(new SimulatorProcessor(), card, `key-${card}`);
      assert.deepEqual([outcome.kind, outcome.code, outcome.retryable], [kind, code, retryable]);
      assert.equal(outcome.processorReference !== undefined, hasReference);
    });
  }
});

describe('simulator: status queries and late answers', () => {
  it('answers not_found to a query without a processor reference, so the caller re-sends', async () => {
    const outcome = outcomeOf(await new SimulatorProcessor().query({ amountMinor: 10_000n, currency: 'NGN', idempotencyKey: 'anything' }, signal()));
    assert.deepEqual([outcome.kind, outcome.code, outcome.retryable], ['error', 'not_found', true]);
  });

  it('answers not_found to a reference it never handed out', async () => {
    const outcome = outcomeOf(await new SimulatorProcessor().query({ amountMinor: 10_000n, currency: 'NGN', idempotencyKey: 'k', processorReference: 'sim.approve.sale.nothex' }, signal()));
    assert.equal(outcome.code, 'not_found');
  });

  it('loses the first reply for card 4000000000003220, then a re-sent authorization finds it approved', async () => {
    const simulator = new SimulatorProcessor();
    assert.equal((await authorize(simulator, '4000000000003220', 'late-1')).code, 'timeout');
    const requery = outcomeOf(await simulator.query({ amountMinor: 10_000n, currency: 'NGN', idempotencyKey: 'late-1' }, signal()));
    assert.equal(requery.code, 'not_found');
    const resent = await authorize(simulator, '4000000000003220', 'late-1');
    assert.equal(resent.kind, 'approved');
    assert.ok(resent.processorReference !== undefined);
    const queried = outcomeOf(await simulator.query({ amountMinor: 10_000n, currency: 'NGN', idempotencyKey: 'late-1', processorReference: resent.processorReference }, signal()));
    assert.deepEqual([queried.kind, queried.processorReference], ['approved', resent.processorReference]);
    assert.equal(await refund(simulator, resent.processorReference, 'late-1-refund').then((outcome) => outcome.kind), 'approved');
  });

  const queried: { card: string; kind: string; code: string }[] = [
    { card: '4242424242424242', kind: 'approved', code: 'approved' },
    { card: '4000000000000002', kind: 'declined', code: 'do_not_honor' },
    { card: '4000000000009995', kind: 'declined', code: 'insufficient_funds' },
  ];
  for (const { card, kind, code } of queried) {
    it(`answers a status query for card ${card} from the reference alone, in a fresh process`, async () => {
      const first = await authorize(new SimulatorProcessor(), card, `query-${card}`);
      assert.ok(first.processorReference !== undefined);
      const afterRestart = new SimulatorProcessor();
      const outcome = outcomeOf(await afterRestart.query({ amountMinor: 10_000n, currency: 'NGN', idempotencyKey: `query-${card}`, processorReference: first.processorReference }, signal()));
      assert.deepEqual([outcome.kind, outcome.code, outcome.processorReference], [kind, code, first.processorReference]);
    });
  }
});

describe('simulator: refunds', () => {
  const refunds: { card: string; kind: string; code: string }[] = [
    { card: '4242424242424242', kind: 'approved', code: 'approved' },
    { card: '4000000000005126', kind: 'declined', code: 'declined' },
    { card: '4000000000007726', kind: 'pending', code: 'timeout' },
    { card: '4000000000000259', kind: 'approved', code: 'approved' },
  ];
  for (const { card, kind, code } of refunds) {
    it(`answers ${kind} (${code}) to a refund of a sale on card ${card}`, async () => {
      const simulator = new SimulatorProcessor();
      const reference = await approvedSale(simulator, card, `sale-${card}`);
      const outcome = await refund(simulator, reference, `refund-${card}`);
      assert.deepEqual([outcome.kind, outcome.code], [kind, code]);
    });
  }

  it('behaves the same for a refund sent by a freshly started process', async () => {
    const reference = await approvedSale(new SimulatorProcessor(), '4000000000005126', 'restart-sale');
    assert.equal((await refund(new SimulatorProcessor(), reference, 'restart-refund')).code, 'declined');
  });

  it('loses the first reply to a refund on card 4000000000007726; the re-sent refund and its query find it approved', async () => {
    const simulator = new SimulatorProcessor();
    const sale = await approvedSale(simulator, '4000000000007726', 'late-refund-sale');
    assert.equal((await refund(simulator, sale, 'late-refund')).code, 'timeout');
    assert.equal(outcomeOf(await simulator.query({ amountMinor: 10_000n, currency: 'NGN', idempotencyKey: 'late-refund' }, signal())).code, 'not_found');
    const resent = await refund(simulator, sale, 'late-refund');
    assert.equal(resent.kind, 'approved');
    assert.ok(resent.processorReference !== undefined && resent.processorReference !== sale);
    const queried = outcomeOf(await new SimulatorProcessor().query({ amountMinor: 10_000n, currency: 'NGN', idempotencyKey: 'late-refund', processorReference: resent.processorReference }, signal()));
    assert.equal(queried.kind, 'approved');
  });

  it('finds a declined refund declined when queried', async () => {
    const simulator = new SimulatorProcessor();
    const sale = await approvedSale(simulator, '4000000000005126', 'declined-refund-sale');
    const declined = await refund(simulator, sale, 'declined-refund');
    assert.ok(declined.processorReference !== undefined);
    const queried = outcomeOf(await simulator.query({ amountMinor: 10_000n, currency: 'NGN', idempotencyKey: 'declined-refund', processorReference: declined.processorReference }, signal()));
    assert.deepEqual([queried.kind, queried.code], ['declined', 'declined']);
  });

  const notRefundable: { name: string; reference: () => Promise<string> }[] = [
    { name: 'a reference it never handed out', reference: () => Promise.resolve('not-a-simulator-reference') },
    { name: 'a declined sale', reference: async () => (await authorize(new SimulatorProcessor(), '4000000000000002', 'declined-sale')).processorReference ?? '' },
  ];
  for (const { name, reference } of notRefundable) {
    it(`refuses a refund of ${name} as invalid_reference, not retryable`, async () => {
      const outcome = await refund(new SimulatorProcessor(), await reference(), 'refund-invalid');
      assert.deepEqual([outcome.kind, outcome.code, outcome.retryable], ['error', 'invalid_reference', false]);
    });
  }
});

describe('simulator: determinism', () => {
  const cards = ['4242424242424242', '4000000000000002', '4000000000009995', '4000000000000119', '4000000000005126'];
  for (const card of cards) {
    it(`gives the same reply twice for the same idempotency key on card ${card}, in one process or two`, async () => {
      const simulator = new SimulatorProcessor();
      const first = await simulator.authorize(authorizeRequest(card, `same-${card}`), signal());
      const replay = await simulator.authorize(authorizeRequest(card, `same-${card}`), signal());
      const afterRestart = await new SimulatorProcessor().authorize(authorizeRequest(card, `same-${card}`), signal());
      assert.deepEqual(replay, first);
      assert.deepEqual(afterRestart, first);
    });
  }

  it('gives different keys different transaction ids', async () => {
    const simulator = new SimulatorProcessor();
    const one = await authorize(simulator, '4242424242424242', 'key-one');
    const two = await authorize(simulator, '4242424242424242', 'key-two');
    assert.notEqual(one.processorReference, two.processorReference);
  });
});

describe('simulator: latency and abort', () => {
  it('answers no_answer at once when the call is aborted during its latency', async () => {
    const simulator = new SimulatorProcessor({ latencyMs: 60_000 });
    const controller = new AbortController();
    const started = performance.now();
    const pending = simulator.authorize(authorizeRequest('4242424242424242', 'slow'), controller.signal);
    controller.abort();
    assert.deepEqual(await pending, { kind: 'no_answer', reason: 'timeout' });
    assert.ok(performance.now() - started < 1_000);
  });

  it('answers no_answer to a call aborted before it starts', async () => {
    const controller = new AbortController();
    controller.abort();
    assert.equal((await new SimulatorProcessor().query({ amountMinor: 10_000n, currency: 'NGN', idempotencyKey: 'k' }, controller.signal)).kind, 'no_answer');
  });

  it('answers after its latency when not aborted', async () => {
    const started = performance.now();
    const reply = await new SimulatorProcessor({ latencyMs: 30 }).authorize(authorizeRequest('4242424242424242', 'latency'), signal());
    assert.equal(reply.kind, 'reply');
    assert.ok(performance.now() - started >= 25);
  });

  it('refuses a negative latency', () => {
    assert.throws(() => new SimulatorProcessor({ latencyMs: -1 }), /latencyMs/);
  });
});

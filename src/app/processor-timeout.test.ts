// Specification of the processor timeout: a call slower than the timeout ends as no
// answer, promptly, and leaves no timer running; a faster call is untouched.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimulatorProcessor } from '../adapters/processors/simulator/simulator-processor.ts';
import type { AuthorizeRequest, CardProcessor, ProcessorReply } from './ports/card-processor.ts';
import { withTimeout } from './processor-timeout.ts';

const request: AuthorizeRequest = {
  idempotencyKey: 'timeout-test', amountMinor: 100n, currency: 'NGN', card: { number: '4242424242424242', expMonth: 1, expYear: 2040 },
};
const activeTimers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

describe('withTimeout', () => {
  it('answers no_answer soon after the timeout when the processor is slower, and clears its timers', async () => {
    const before = activeTimers();
    const processor = withTimeout(new SimulatorProcessor({ latencyMs: 60_000 }), 20);
    const started = performance.now();
    const reply = await processor.authorize(request, new AbortController().signal);
    const elapsedMs = performance.now() - started;
    assert.deepEqual(reply, { kind: 'no_answer', reason: 'timeout' });
    assert.ok(elapsedMs >= 15 && elapsedMs < 1_000, `took ${elapsedMs} ms`);
    assert.equal(activeTimers(), before, 'neither the deadline nor the simulator latency timer is left running');
  });

  it('passes a faster reply through and clears its timer', async () => {
    const before = activeTimers();
    const processor = withTimeout(new SimulatorProcessor({ latencyMs: 5 }), 60_000);
    const reply = await processor.query({ amountMinor: 10_000n, currency: 'NGN', idempotencyKey: 'k' }, new AbortController().signal);
    assert.equal(reply.kind, 'reply');
    assert.equal(activeTimers(), before);
    assert.equal(processor.processorId, 'simulator');
  });

  it('ends as no_answer when the caller aborts first', async () => {
    const controller = new AbortController();
    const processor = withTimeout(new SimulatorProcessor({ latencyMs: 60_000 }), 60_000);
    const pending = processor.refund({ idempotencyKey: 'k', processorReference: 'r', amountMinor: 1n, currency: 'NGN' }, controller.signal);
    controller.abort();
    assert.deepEqual(await pending, { kind: 'no_answer', reason: 'timeout' });
  });

  it('aborts the signal it gave the processor once the deadline passes', async () => {
    let seen: AbortSignal | undefined;
    const silent: CardProcessor = {
      processorId: 'silent', deduplicatesRequests: true,
      authorize: (_request, signal) => {
        seen = signal;
        return new Promise<ProcessorReply>((resolve) => {
          signal.addEventListener('abort', () => {
            resolve({ kind: 'no_answer', reason: 'network' });
          });
        });
      },
      query: () => Promise.reject(new Error('not used')),
      refund: () => Promise.reject(new Error('not used')),
    };
    const reply = await withTimeout(silent, 10).authorize(request, new AbortController().signal);
    assert.equal(reply.kind, 'no_answer');
    assert.equal(seen?.aborted, true);
  });

  it('lets an error thrown by the processor reach the caller', async () => {
    const failing: CardProcessor = {
      processorId: 'failing', deduplicatesRequests: true,
      authorize: () => Promise.reject(new Error('connection reset')),
      query: () => Promise.reject(new Error('connection reset')),
      refund: () => Promise.reject(new Error('connection reset')),
    };
    await assert.rejects(withTimeout(failing, 1_000).authorize(request, new AbortController().signal), /connection reset/);
  });

  it('refuses a timeout that is not a positive whole number of milliseconds', () => {
    assert.throws(() => withTimeout(new SimulatorProcessor(), 0));
    assert.throws(() => withTimeout(new SimulatorProcessor(), 1.5));
  });
});

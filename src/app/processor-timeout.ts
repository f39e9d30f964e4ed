// Bounds every call to a card processor by `processorTimeoutMs`: a call still running at
// the deadline is aborted and counts as no answer (an unknown outcome, requeried later),
// so a silent processor never holds a request or the requery job for longer than that.
import { invariant } from '../domain/invariant.ts';
import type { CardProcessor, ProcessorReply } from './ports/card-processor.ts';

/** setTimeout fires at once for delays above 2^31 - 1 ms, so longer timeouts are refused. */
export const processorTimeoutMsMax = 2_147_483_647;

const timedOut: ProcessorReply = { kind: 'no_answer', reason: 'timeout' };

/** The same processor, with each call ending by `timeoutMs` at the latest. */
export function withTimeout(processor: CardProcessor, timeoutMs: number): CardProcessor {
  invariant(Number.isInteger(timeoutMs) && timeoutMs > 0 && timeoutMs <= processorTimeoutMsMax, `processor timeout must be 1..${processorTimeoutMsMax} ms, got ${timeoutMs}`);
  return {
    processorId: processor.processorId,
    deduplicatesRequests: processor.deduplicatesRequests,
    authorize: (request, signal) => callWithTimeout((inner) => processor.authorize(request, inner), signal, timeoutMs),
    query: (request, signal) => callWithTimeout((inner) => processor.query(request, inner), signal, timeoutMs),
    refund: (request, signal) => callWithTimeout((inner) => processor.refund(request, inner), signal, timeoutMs),
  };
}

/**
 * Races the call against the deadline and the caller's own signal. Whichever way it
 * ends, the timer is cleared, the listener removed and the inner signal aborted, so
 * nothing is left running. A call that rejects before the deadline still rejects (the
 * caller decides what a thrown error means).
 */
export async function callWithTimeout(
  call: (signal: AbortSignal) => Promise<ProcessorReply>,
  outer: AbortSignal,
  timeoutMs: number,
): Promise<ProcessorReply> {
  if (outer.aborted) return timedOut;
  const inner = new AbortController();
  const abortInner = (): void => {
    inner.abort();
  };
  outer.addEventListener('abort', abortInner, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ProcessorReply>((resolve) => {
    inner.signal.addEventListener('abort', () => {
      resolve(timedOut);
    }, { once: true });
    timer = setTimeout(abortInner, timeoutMs);
  });
  try {
    return await Promise.race([call(inner.signal), deadline]);
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', abortInner);
    inner.abort();
  }
}

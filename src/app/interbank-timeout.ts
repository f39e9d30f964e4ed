// Bounds every inter-bank call by the processor timeout, like card processor calls: a
// call still running at the deadline is aborted and counts as no answer (requeried).
import { invariant } from '../domain/invariant.ts';
import type { InterbankRail } from './ports/interbank.ts';
import { callWithTimeout, processorTimeoutMsMax } from './processor-timeout.ts';

export function interbankWithTimeout(rail: InterbankRail, timeoutMs: number): InterbankRail {
  invariant(Number.isInteger(timeoutMs) && timeoutMs > 0 && timeoutMs <= processorTimeoutMsMax, `inter-bank timeout must be 1..${processorTimeoutMsMax} ms, got ${timeoutMs}`);
  return {
    railId: rail.railId,
    transfer: (request, signal) => callWithTimeout((inner) => rail.transfer(request, inner), signal, timeoutMs),
    query: (request, signal) => callWithTimeout((inner) => rail.query(request, inner), signal, timeoutMs),
  };
}

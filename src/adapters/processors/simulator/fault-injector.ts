// Seeded fault injection for simulations: lost replies, garbage replies and duplicate
// notices, drawn from a seeded source so a run replays exactly from its seed. Faults sit
// between the simulated processor and its caller: what the processor decided is unchanged,
// only what reaches the caller is.
import type { JsonObject } from '../../../app/ports/store.ts';
import { invariant } from '../../../domain/invariant.ts';
import { simulatorErrorCodes } from '../../../domain/processors/simulator-codes.ts';
import { seededRandom } from './seeded-random.ts';

export type SimulatorFaults = {
  /** Any 32-bit unsigned integer. */
  readonly seed: number;
  /** Share of calls whose reply is lost (the caller sees no answer). */
  readonly timeoutRate?: number;
  /** Share of calls answered with a reply that is not in the processor's format. */
  readonly garbageRate?: number;
  /** Share of calls answered with a duplicate-transaction notice instead of the result. */
  readonly duplicateRate?: number;
};

export type Fault =
  | { readonly kind: 'none' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'garbage'; readonly raw: JsonObject }
  | { readonly kind: 'duplicate' };

const seedMax = 0xffff_ffff;

// Shapes a broken gateway or proxy really sends: an HTML error page, a truncated reply,
// fields of the wrong type, an empty body, and an approval without a transaction id.
const garbageReplies: readonly JsonObject[] = [
  { html: '<html><body><h1>502 Bad Gateway</h1></body></html>' },
  { ssl_result: '0' },
  { ssl_result: 0, ssl_result_message: ['APPROVAL'], ssl_txn_id: null },
  {},
  { ssl_result: '0', ssl_result_message: 'APPROVAL' },
  { errorCode: 4025, errorMessage: true },
];

export class FaultInjector {
  private readonly random: () => number;
  private readonly timeoutRate: number;
  private readonly garbageRate: number;
  private readonly duplicateRate: number;

  constructor(faults: SimulatorFaults) {
    invariant(Number.isInteger(faults.seed) && faults.seed >= 0 && faults.seed <= seedMax, `fault seed must be a 32-bit unsigned integer, got ${faults.seed}`);
    this.timeoutRate = checkedRate('timeoutRate', faults.timeoutRate);
    this.garbageRate = checkedRate('garbageRate', faults.garbageRate);
    this.duplicateRate = checkedRate('duplicateRate', faults.duplicateRate);
    invariant(this.timeoutRate + this.garbageRate + this.duplicateRate <= 1, 'fault rates must add up to at most 1');
    this.random = seededRandom(faults.seed);
  }

  /** Drawn once per call, whatever the call, so the sequence depends on the seed and the call order only. */
  next(): Fault {
    const draw = this.random();
    if (draw < this.timeoutRate) return { kind: 'timeout' };
    if (draw < this.timeoutRate + this.garbageRate) return { kind: 'garbage', raw: this.garbageReply() };
    if (draw < this.timeoutRate + this.garbageRate + this.duplicateRate) return { kind: 'duplicate' };
    return { kind: 'none' };
  }

  private garbageReply(): JsonObject {
    const reply = garbageReplies[Math.floor(this.random() * garbageReplies.length)];
    invariant(reply !== undefined, 'garbage reply index out of range');
    return reply;
  }
}

/** The duplicate notice for a reply, keeping its transaction id so the caller can query it. */
export function duplicateNotice(reply: JsonObject): JsonObject {
  const reference = reply['ssl_txn_id'];
  return {
    errorCode: simulatorErrorCodes.duplicate,
    errorMessage: 'Duplicate transaction: this request was already received.',
    ...(typeof reference === 'string' ? { ssl_txn_id: reference } : {}),
  };
}

function checkedRate(name: string, rate: number | undefined): number {
  const value = rate ?? 0;
  invariant(Number.isFinite(value) && value >= 0 && value <= 1, `${name} must be between 0 and 1, got ${value}`);
  return value;
}

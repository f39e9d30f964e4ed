// The real clock and a time-ordered id generator (ULIDs, monotonic within a millisecond).
import { monotonicFactory } from 'ulid';
import type { Clock, IdGenerator } from '../../app/ports/clock.ts';

export const systemClock: Clock = { now: () => Date.now() };

export function ulidGenerator(): IdGenerator {
  const next = monotonicFactory();
  return { next: (prefix) => `${prefix}_${next()}` };
}

// Data-key caching with limits, as in the AWS Encryption SDK's caching materials manager:
// one data key seals a bounded number of messages for a bounded time, and unwrapped keys
// are kept in a bounded least-recently-used cache so that opening does not unwrap every time.
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../../app/ports/clock.ts';
import { invariant } from '../../../domain/invariant.ts';

export type DataKey = {
  readonly key: KeyObject;
  /** The data key under the master key: `iv | tag | ciphertext`, base64. */
  readonly wrappedKey: string;
};

export type SealingLimits = { readonly messagesMax: number; readonly ageMaxMs: number };

/** The data key used for sealing, replaced once it has sealed enough messages or grown old. */
export class SealingKeyCache {
  private readonly limits: SealingLimits;
  private readonly clock: Clock;
  private current: { readonly dataKey: DataKey; readonly createdAtMs: number; messagesSealed: number } | null = null;

  constructor(limits: SealingLimits, clock: Clock) {
    this.limits = limits;
    this.clock = clock;
    invariant(Number.isSafeInteger(limits.messagesMax) && limits.messagesMax >= 1, 'dataKeyMessagesMax is a positive integer');
    invariant(Number.isFinite(limits.ageMaxMs) && limits.ageMaxMs > 0, 'dataKeyAgeMaxMs is a positive duration');
  }

  /** The key for the next message: the cached one while within its limits, else a new one from `create`. */
  take(create: () => DataKey): DataKey {
    const now = this.clock.now();
    const current = this.current;
    if (current !== null && this.usable(current.createdAtMs, current.messagesSealed, now)) {
      current.messagesSealed++;
      return current.dataKey;
    }
    const dataKey = create();
    this.current = { dataKey, createdAtMs: now, messagesSealed: 1 };
    return dataKey;
  }

  private usable(createdAtMs: number, messagesSealed: number, now: number): boolean {
    const ageMs = now - createdAtMs;
    // A clock that went backwards makes the age unknowable: a new key is the safe answer.
    return messagesSealed < this.limits.messagesMax && ageMs >= 0 && ageMs < this.limits.ageMaxMs;
  }
}

/** Unwrapped data keys by their wrapped form, evicting the least recently used beyond the bound. */
export class UnwrappedKeyCache {
  private readonly entries = new Map<string, KeyObject>();
  private readonly entriesMax: number;

  constructor(entriesMax: number) {
    this.entriesMax = entriesMax;
    invariant(Number.isSafeInteger(entriesMax) && entriesMax >= 0, 'unwrappedKeyCacheEntriesMax is a non-negative integer');
  }

  get size(): number {
    return this.entries.size;
  }

  get(wrappedKey: string): KeyObject | undefined {
    const key = this.entries.get(wrappedKey);
    if (key === undefined) return undefined;
    // A Map iterates in insertion order: re-inserting marks the entry as the most recent.
    this.entries.delete(wrappedKey);
    this.entries.set(wrappedKey, key);
    return key;
  }

  set(wrappedKey: string, key: KeyObject): void {
    if (this.entriesMax === 0) return;
    this.entries.delete(wrappedKey);
    this.entries.set(wrappedKey, key);
    while (this.entries.size > this.entriesMax) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }
}

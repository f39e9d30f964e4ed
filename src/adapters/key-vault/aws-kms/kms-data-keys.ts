// Data keys for the KMS vault, cached within limits per KMS encryption context: one data
// key seals a bounded number of messages for a bounded time, and only for one tenant and
// purpose, so a cached key never crosses the boundary KMS enforces.
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../../app/ports/clock.ts';
import { invariant } from '../../../domain/invariant.ts';
import type { SealingLimits } from '../local/data-key-cache.ts';

export type KmsDataKey = {
  readonly key: KeyObject;
  /** KMS's CiphertextBlob, base64. */
  readonly wrappedKey: string;
  /** The KMS key that wrapped it (always a key ARN in KMS's answer). */
  readonly keyArn: string;
};

type Entry = { readonly dataKey: Promise<KmsDataKey>; readonly createdAtMs: number; messagesSealed: number };

/**
 * The sealing key per context. A key being generated is shared by every caller that asks
 * meanwhile, so a burst of seals makes one GenerateDataKey call, not one per message.
 */
export class ContextSealingKeys {
  private readonly entries = new Map<string, Entry>();
  private readonly limits: SealingLimits;
  private readonly clock: Clock;
  private readonly contextsMax: number;

  constructor(limits: SealingLimits, clock: Clock, contextsMax: number) {
    invariant(Number.isSafeInteger(limits.messagesMax) && limits.messagesMax >= 1, 'dataKeyMessagesMax is a positive integer');
    invariant(Number.isFinite(limits.ageMaxMs) && limits.ageMaxMs > 0, 'dataKeyAgeMaxMs is a positive duration');
    invariant(Number.isSafeInteger(contextsMax) && contextsMax >= 1, 'sealingContextsMax is a positive integer');
    this.limits = limits;
    this.clock = clock;
    this.contextsMax = contextsMax;
  }

  take(contextKey: string, create: () => Promise<KmsDataKey>): Promise<KmsDataKey> {
    const now = this.clock.now();
    const current = this.entries.get(contextKey);
    if (current !== undefined && this.usable(current, now)) {
      current.messagesSealed++;
      return current.dataKey;
    }
    const dataKey = create();
    const entry: Entry = { dataKey, createdAtMs: now, messagesSealed: 1 };
    this.entries.delete(contextKey);
    this.entries.set(contextKey, entry);
    // A failed call must not be cached: the next seal asks KMS again.
    dataKey.catch(() => {
      if (this.entries.get(contextKey) === entry) this.entries.delete(contextKey);
    });
    while (this.entries.size > this.contextsMax) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    return dataKey;
  }

  private usable(entry: Entry, now: number): boolean {
    const ageMs = now - entry.createdAtMs;
    return entry.messagesSealed < this.limits.messagesMax && ageMs >= 0 && ageMs < this.limits.ageMaxMs;
  }
}

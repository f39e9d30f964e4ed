// When a notification that could not be delivered is tried again (N1): exponential
// backoff from one second, capped, spread by a jitter derived from the notification id
// (deterministic, so a replayed run retries at the same moments), and a dead-letter state
// after `deliveryAttemptsMax` attempts.
import { createHash } from 'node:crypto';

export const deliveryAttemptsMax = 10;
export const deliveryBackoffBaseMs = 1_000;
export const deliveryBackoffCapMs = 15 * 60 * 1000;
/** How long a runner owns a notification it is sending; past that, another may send it. */
export const deliveryLeaseMs = 30_000;

/** The wait before attempt `attempt + 1`, after `attempt` (from 1) failed. */
export function retryDelayMs(notificationId: string, attempt: number): number {
  const exponential = Math.min(deliveryBackoffBaseMs * 2 ** Math.max(0, attempt - 1), deliveryBackoffCapMs);
  const spread = createHash('sha256').update(`${notificationId}:${attempt}`).digest().readUInt16BE(0) / 0xffff;
  // Up to a quarter more, so that notifications failing together do not retry together.
  return Math.round(exponential * (1 + spread / 4));
}

export type DeliveryFailure = { readonly retryable: boolean; readonly reason: string };

export type AfterFailure =
  | { readonly next: 'retry'; readonly nextAttemptAt: number }
  | { readonly next: 'dead'; readonly reason: string };

/** What follows a failed attempt: a retry later, or the dead letter when it cannot succeed. */
export function afterFailure(notificationId: string, attempts: number, failure: DeliveryFailure, now: number): AfterFailure {
  if (!failure.retryable) return { next: 'dead', reason: `refused by the receiver: ${failure.reason}` };
  if (attempts >= deliveryAttemptsMax) return { next: 'dead', reason: `not delivered after ${attempts} attempts: ${failure.reason}` };
  return { next: 'retry', nextAttemptAt: now + retryDelayMs(notificationId, attempts) };
}

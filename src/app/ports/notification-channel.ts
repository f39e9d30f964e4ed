// A way of reaching people (N1): email, SMS, push, a signed webhook, or a log file. Declared
// by the delivery job; adapters live in src/adapters/notify. Every delivery carries the
// notification's idempotency key, the same on every attempt, so a receiver recognizes a
// redelivery after a crash or a timeout.
import type { TenantId } from '../../domain/ids.ts';
import type { JsonObject } from './store.ts';

export const audiences = ['customer', 'operations'] as const;
export type Audience = (typeof audiences)[number];

export type Delivery = {
  readonly notificationId: string;
  /** Stable across attempts: receivers deduplicate on it. */
  readonly idempotencyKey: string;
  readonly tenantId: TenantId;
  readonly audience: Audience;
  readonly recipient: string;
  readonly template: string;
  readonly subject: string;
  readonly text: string;
  readonly data: JsonObject;
  readonly createdAt: number;
  /** 1 for the first attempt. */
  readonly attempt: number;
};

export type DeliveryResult =
  | { readonly ok: true }
  /** `retryable: false` when trying again cannot help (the receiver refused the message). */
  | { readonly ok: false; readonly retryable: boolean; readonly reason: string };

export interface NotificationChannel {
  readonly name: string;
  send(delivery: Delivery, signal: AbortSignal): Promise<DeliveryResult>;
}

/** Which channel reaches each audience, and who "operations" is on it. */
export type NotificationRouting = {
  readonly customer: NotificationChannel;
  readonly operations: NotificationChannel;
  readonly operationsRecipient: string;
  /** A send slower than this counts as a retryable failure. */
  readonly sendTimeoutMs: number;
};

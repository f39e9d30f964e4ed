// Channels that POST to an HTTPS endpoint, signed with HMAC-SHA256: a generic event
// webhook, and the SMS and push interfaces backed by a gateway the deployment runs (most
// SMS and push providers are reached this way). 2xx is delivered; 408, 425, 429, 5xx and
// network errors are retried; any other 4xx means the receiver refuses the message.
import type { Delivery, DeliveryResult, NotificationChannel } from '../../app/ports/notification-channel.ts';
import type { JsonObject } from '../../app/ports/store.ts';
import { signatureHeader, signWebhook } from './webhook-signature.ts';

export type WebhookShape = 'webhook' | 'sms' | 'push';

/** The JSON each kind of receiver gets. */
export function webhookPayload(shape: WebhookShape, delivery: Delivery): JsonObject {
  switch (shape) {
    case 'sms':
      return { idempotency_key: delivery.idempotencyKey, to: delivery.recipient, message: delivery.text };
    case 'push':
      return { idempotency_key: delivery.idempotencyKey, user_id: delivery.recipient, title: delivery.subject, body: delivery.text, data: delivery.data };
    case 'webhook':
      return {
        id: delivery.notificationId, idempotency_key: delivery.idempotencyKey, tenant_id: delivery.tenantId,
        audience: delivery.audience, recipient: delivery.recipient, template: delivery.template,
        subject: delivery.subject, text: delivery.text, data: delivery.data,
        created_at: new Date(delivery.createdAt).toISOString(), attempt: delivery.attempt,
      };
  }
}

function retryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

export function webhookChannel(options: { readonly shape: WebhookShape; readonly url: string; readonly secret: string }): NotificationChannel {
  const { shape, url, secret } = options;
  return {
    name: shape,
    async send(delivery: Delivery, signal: AbortSignal): Promise<DeliveryResult> {
      const body = JSON.stringify(webhookPayload(shape, delivery));
      const response = await fetch(url, {
        method: 'POST',
        signal,
        headers: {
          'content-type': 'application/json',
          'idempotency-key': delivery.idempotencyKey,
          [signatureHeader]: signWebhook(secret, body, Date.now()),
          'user-agent': 'contra-notifier',
        },
        body,
      });
      // The body is drained so the connection can be reused; its content is not needed.
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { ok: true };
      return { ok: false, retryable: retryableStatus(response.status), reason: `${shape} receiver answered HTTP ${response.status}` };
    },
  };
}

// The default channel: each delivery appended as one JSON line to a file (0600) — or to
// standard output with the path "-" — so a fresh install shows what it would have sent.
import { appendFile, open } from 'node:fs/promises';
import type { Delivery, DeliveryResult, NotificationChannel } from '../../app/ports/notification-channel.ts';

export function logFileChannel(path: string): NotificationChannel {
  let created = false;
  return {
    name: 'log',
    async send(delivery: Delivery): Promise<DeliveryResult> {
      const line = `${JSON.stringify({
        at: new Date().toISOString(), idempotency_key: delivery.idempotencyKey, tenant_id: delivery.tenantId,
        audience: delivery.audience, recipient: delivery.recipient, template: delivery.template,
        subject: delivery.subject, text: delivery.text, attempt: delivery.attempt,
      })}\n`;
      if (path === '-') {
        process.stdout.write(line);
        return { ok: true };
      }
      if (!created) {
        await (await open(path, 'a', 0o600)).close();
        created = true;
      }
      await appendFile(path, line);
      return { ok: true };
    },
  };
}

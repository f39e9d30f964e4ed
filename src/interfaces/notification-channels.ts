// Wires the notification channels the configuration names (N1) into the routing the
// delivery job uses: one channel per audience, each built once and closed with the runtime.
import type { NotificationChannel, NotificationRouting } from '../app/ports/notification-channel.ts';
import { invariant } from '../domain/invariant.ts';
import { logFileChannel } from '../adapters/notify/log-file-channel.ts';
import { smtpChannel } from '../adapters/notify/smtp-channel.ts';
import { webhookChannel } from '../adapters/notify/webhook-channel.ts';
import type { ChannelName, NotificationConfig } from './config.ts';

export type OpenRouting = { readonly routing: NotificationRouting; close(): void };

export function openNotificationRouting(config: NotificationConfig): OpenRouting {
  const opened = new Map<ChannelName, NotificationChannel>();
  const closers: (() => void)[] = [];
  const channel = (name: ChannelName): NotificationChannel => {
    const existing = opened.get(name);
    if (existing !== undefined) return existing;
    let built: NotificationChannel;
    if (name === 'log') {
      built = logFileChannel(config.logFile);
    } else if (name === 'email') {
      invariant(config.smtp !== null, 'the configuration checked that email has SMTP settings');
      const email = smtpChannel(config.smtp);
      closers.push(() => {
        email.close();
      });
      built = email;
    } else {
      const url = config.webhookUrls[name];
      invariant(url !== null && config.webhookSecret !== null, `the configuration checked that ${name} has a URL and a secret`);
      built = webhookChannel({ shape: name, url, secret: config.webhookSecret });
    }
    opened.set(name, built);
    return built;
  };
  return {
    routing: {
      customer: channel(config.customerChannel),
      operations: channel(config.operationsChannel),
      operationsRecipient: config.operationsRecipient,
      sendTimeoutMs: config.sendTimeoutMs,
    },
    close() {
      for (const close of closers) close();
    },
  };
}

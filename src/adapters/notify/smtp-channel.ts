// Email through SMTP with nodemailer. The Message-ID is derived from the notification id,
// and an Idempotency-Key header carries it too, so a redelivered email is recognizable.
// A 5xx reply means the server refuses the message for good; anything else is retried.
import nodemailer from 'nodemailer';
import type { Delivery, DeliveryResult, NotificationChannel } from '../../app/ports/notification-channel.ts';

export type SmtpOptions = { readonly url: string; readonly from: string };

function responseCodeOf(error: unknown): number | null {
  if (typeof error !== 'object' || error === null || !('responseCode' in error)) return null;
  const code = error.responseCode;
  return typeof code === 'number' ? code : null;
}

/** Resolves with `work`, or rejects as soon as the signal aborts (nodemailer takes no signal). */
function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', abort);
    });
  });
}

export function smtpChannel(options: SmtpOptions): NotificationChannel & { close(): void } {
  const transport = nodemailer.createTransport(options.url);
  return {
    name: 'email',
    async send(delivery: Delivery, signal: AbortSignal): Promise<DeliveryResult> {
      try {
        await untilAborted(signal, transport.sendMail({
          from: options.from,
          to: delivery.recipient,
          subject: delivery.subject,
          text: delivery.text,
          messageId: `<${delivery.idempotencyKey}@contra.notifications>`,
          headers: { 'Idempotency-Key': delivery.idempotencyKey },
        }));
        return { ok: true };
      } catch (error) {
        const code = responseCodeOf(error);
        if (code !== null && code >= 500) return { ok: false, retryable: false, reason: `SMTP server refused the message (${code})` };
        throw error;
      }
    },
    close() {
      transport.close();
    },
  };
}

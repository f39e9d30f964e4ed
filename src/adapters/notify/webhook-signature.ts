// Signed webhooks: `Contra-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`,
// the scheme receivers know from the large payment platforms. The timestamp lets a
// receiver refuse old replays; the idempotency key lets it drop redeliveries.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'contra-signature';
export const signatureToleranceMs = 5 * 60 * 1000;

export function signWebhook(secret: string, body: string, atMs: number): string {
  const timestamp = Math.floor(atMs / 1000);
  const digest = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${digest}`;
}

/** For receivers (and tests): true when the header signs this body and is recent enough. */
export function verifyWebhookSignature(secret: string, header: string, body: string, nowMs: number): boolean {
  const parts = new Map(header.split(',').map((part) => {
    const at = part.indexOf('=');
    return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
  }));
  const timestamp = Number(parts.get('t'));
  const given = parts.get('v1');
  if (!Number.isSafeInteger(timestamp) || given === undefined || !/^[0-9a-f]{64}$/.test(given)) return false;
  if (Math.abs(nowMs - timestamp * 1000) > signatureToleranceMs) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

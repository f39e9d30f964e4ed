// The notification outbox end to end (N1) on a real SQLite file: a notification committed
// with its event is delivered through real channels (a local signed-webhook receiver, a
// local SMTP server, a log file), retried with backoff, dead-lettered, and still delivered
// after a crash between commit and delivery — always under the same idempotency key.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { openSqliteStore, type SqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import { ulidGenerator } from '../../src/adapters/system/system-clock.ts';
import { logFileChannel } from '../../src/adapters/notify/log-file-channel.ts';
import { smtpChannel } from '../../src/adapters/notify/smtp-channel.ts';
import { webhookChannel } from '../../src/adapters/notify/webhook-channel.ts';
import { verifyWebhookSignature } from '../../src/adapters/notify/webhook-signature.ts';
import { enqueueNotification, type NotificationRequest } from '../../src/app/notifications/enqueue-notification.ts';
import { claimNotification, deliverNotifications } from '../../src/app/notifications/deliver-notifications.ts';
import { notificationFromRecord, notificationKind } from '../../src/app/notifications/notification-record.ts';
import type { NotificationChannel, NotificationRouting } from '../../src/app/ports/notification-channel.ts';
import type { TenantId } from '../../src/domain/ids.ts';
import { deliveryAttemptsMax, deliveryLeaseMs, retryDelayMs } from '../../src/domain/notifications/delivery-schedule.ts';

const secret = 'whsec-test-0123456789';
const tenantId = 'ten_notify' as TenantId;
const reversalData = { amount_minor: '500000', currency: 'NGN', reversal_reference: 'TXR-2026-000123' };
const customerMessage: NotificationRequest = { audience: 'customer', recipient: '+2348030000000', template: 'reversal.completed', data: reversalData, source: 'reversal:TXR-2026-000123' };

type Received = { headers: IncomingHttpHeaders; body: string };

/** A local HTTP receiver that answers with the queued statuses (then 200) and keeps every request. */
async function startReceiver(): Promise<{ url: string; received: Received[]; answers: number[]; server: Server }> {
  const received: Received[] = [];
  const answers: number[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = answers.shift() ?? 200;
      response.end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, answers, server };
}

describe('notification delivery', () => {
  let directory: string;
  let store: SqliteStore;
  let now: number;
  const clock = { now: () => now };
  const ids = ulidGenerator();
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let routing: NotificationRouting;
  const deps = () => ({ store, clock });

  async function enqueue(request: NotificationRequest = customerMessage): Promise<string> {
    const write = enqueueNotification(ids, tenantId, now, request);
    assert.ok(write.ok);
    // The event and its notification in one changeset, as a use case commits them.
    const committed = await store.commit({ tenantId, at: now, records: [{ kind: 'event', id: ids.next('evt'), body: {}, expectedVersion: 0 }, write.value] });
    assert.ok(committed.ok);
    return write.value.id;
  }

  async function notification(id: string) {
    const record = await store.getRecord(tenantId, notificationKind, id);
    assert.ok(record);
    return notificationFromRecord(record);
  }

  before(async () => {
    receiver = await startReceiver();
  });
  after(() => {
    receiver.server.close();
  });
  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'contra-notify-'));
    now = Date.parse('2026-11-30T09:00:00Z');
    store = await openSqliteStore({ path: join(directory, 'contra.db'), clock });
    await store.migrate();
    receiver.received.length = 0;
    receiver.answers.length = 0;
    routing = {
      customer: webhookChannel({ shape: 'sms', url: receiver.url, secret }),
      operations: webhookChannel({ shape: 'webhook', url: receiver.url, secret }),
      operationsRecipient: 'ops@example.test',
      sendTimeoutMs: 2_000,
    };
  });
  const cleanUp = async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  };

  it('delivers a notification committed with its event, signed and carrying its idempotency key', async () => {
    const id = await enqueue();
    const report = await deliverNotifications(deps(), routing);
    assert.deepEqual(report, { examined: 1, delivered: 1, retrying: 0, dead: 0, claimedElsewhere: 0, errors: 0, errorReasons: [] });
    const [request] = receiver.received;
    assert.ok(request);
    assert.equal(request.headers['idempotency-key'], id);
    assert.ok(verifyWebhookSignature(secret, String(request.headers['contra-signature']), request.body, Date.now()));
    assert.equal(verifyWebhookSignature('another-secret', String(request.headers['contra-signature']), request.body, Date.now()), false);
    const payload = JSON.parse(request.body) as Record<string, unknown>;
    assert.equal(payload['to'], '+2348030000000');
    assert.match(String(payload['message']), /₦5,000\.00 has been reversed.*Reference: TXR-2026-000123/);
    const stored = await notification(id);
    assert.deepEqual([stored.status, stored.attempts, stored.deliveredAt], ['delivered', 1, now]);
    assert.deepEqual((await deliverNotifications(deps(), routing)).examined, 0, 'nothing is sent twice');
    await cleanUp();
  });

  it('sends operations alerts to the configured operations recipient', async () => {
    await enqueue({ audience: 'operations', template: 'reversal.approval_needed', data: { ...reversalData, requested_by: 'key_ops', reason: 'customer report' }, source: 'reversal:TXR-2026-000123' });
    await deliverNotifications(deps(), routing);
    const payload = JSON.parse(receiver.received[0]?.body ?? '{}') as Record<string, unknown>;
    assert.deepEqual([payload['audience'], payload['recipient'], payload['subject']], ['operations', 'ops@example.test', 'Reversal TXR-2026-000123 needs approval']);
    await cleanUp();
  });

  it('retries after failures with growing waits and delivers under the same key', async () => {
    const id = await enqueue();
    receiver.answers.push(503, 500);
    assert.equal((await deliverNotifications(deps(), routing)).retrying, 1);
    assert.equal((await deliverNotifications(deps(), routing)).examined, 0, 'not before its backoff has passed');
    now += retryDelayMs(id, 1);
    assert.equal((await deliverNotifications(deps(), routing)).retrying, 1);
    now += retryDelayMs(id, 2) - 1;
    assert.equal((await deliverNotifications(deps(), routing)).examined, 0);
    now += 1;
    assert.equal((await deliverNotifications(deps(), routing)).delivered, 1);
    assert.deepEqual(receiver.received.map((request) => request.headers['idempotency-key']), [id, id, id]);
    const stored = await notification(id);
    assert.deepEqual([stored.status, stored.attempts], ['delivered', 3]);
    await cleanUp();
  });

  it('dead-letters a message the receiver refuses, and one that never gets through', async () => {
    const refused = await enqueue();
    receiver.answers.push(400);
    assert.equal((await deliverNotifications(deps(), routing)).dead, 1);
    assert.deepEqual([(await notification(refused)).status, (await notification(refused)).lastError], ['dead', 'refused by the receiver: sms receiver answered HTTP 400']);
    const failing = await enqueue();
    for (let attempt = 1; attempt <= deliveryAttemptsMax; attempt++) {
      receiver.answers.push(503);
      const report = await deliverNotifications(deps(), routing);
      assert.equal(report.examined, 1, `attempt ${attempt}`);
      now += retryDelayMs(failing, attempt);
    }
    const dead = await notification(failing);
    assert.deepEqual([dead.status, dead.attempts], ['dead', deliveryAttemptsMax]);
    assert.match(dead.lastError ?? '', /not delivered after 10 attempts/);
    const listed = await store.listRecords(tenantId, notificationKind, { indexKey: 'notification:dead', limit: 10 });
    assert.equal(listed.items.length, 2);
    await cleanUp();
  });

  it('dead-letters a notification whose data this release cannot render, and delivers the ones after it', async () => {
    const poison = enqueueNotification(ids, tenantId, now, customerMessage);
    assert.ok(poison.ok);
    // Written by an older release (or edited): today's template refuses its data.
    assert.ok((await store.commit({ tenantId, at: now, records: [{ ...poison.value, body: { ...poison.value.body, data: { ...reversalData, amount_minor: '1.5' } } }] })).ok);
    const good = await enqueue();
    const report = await deliverNotifications(deps(), routing);
    assert.deepEqual([report.delivered, report.dead, report.errors], [1, 1, 0], JSON.stringify(report));
    const dead = await notification(poison.value.id);
    assert.deepEqual([dead.status, dead.attempts], ['dead', 1]);
    assert.match(dead.lastError ?? '', /cannot be rendered by the reversal\.completed template/);
    assert.equal((await notification(good)).status, 'delivered');
    now += 60_000;
    assert.equal((await deliverNotifications(deps(), routing)).examined, 0, 'the dead letter is not tried again');
    await cleanUp();
  });

  it('skips and counts a notification record it cannot read, and delivers the others in every run', async () => {
    const stale = enqueueNotification(ids, tenantId, now, customerMessage);
    assert.ok(stale.ok);
    // Written by an earlier release under a template name this one dropped.
    assert.ok((await store.commit({ tenantId, at: now, records: [{ ...stale.value, body: { ...stale.value.body, template: 'transfer.retired' } }] })).ok);
    const good = await enqueue();
    const report = await deliverNotifications(deps(), routing);
    assert.deepEqual([report.delivered, report.errors], [1, 1], JSON.stringify(report));
    assert.match(report.errorReasons[0] ?? '', /^ten_notify\/[^:]+: \w*Error: notification template transfer\.retired is unknown$/);
    assert.equal((await notification(good)).status, 'delivered');
    const again = await deliverNotifications(deps(), routing);
    assert.equal(again.errors, 1, 'still counted, never thrown');
    await cleanUp();
  });

  it('delivers a notification whose process died between the commit and the delivery', async () => {
    const id = await enqueue();
    await store.close(); // the process dies here: committed, never sent
    store = await openSqliteStore({ path: join(directory, 'contra.db'), clock });
    assert.equal((await deliverNotifications(deps(), routing)).delivered, 1);
    assert.equal(receiver.received[0]?.headers['idempotency-key'], id);
    await cleanUp();
  });

  it('sends again after a runner died mid-send, once its lease ran out, under the same key', async () => {
    const id = await enqueue();
    const claimed = await claimNotification(deps(), await notification(id));
    assert.ok(claimed);
    // The dying runner reached the receiver but never recorded the outcome.
    await routing.customer.send({ notificationId: id, idempotencyKey: id, tenantId, audience: 'customer', recipient: '+2348030000000', template: 'reversal.completed', subject: 's', text: 't', data: reversalData, createdAt: now, attempt: 1 }, AbortSignal.timeout(1_000));
    assert.equal((await deliverNotifications(deps(), routing)).examined, 0, 'the lease still holds');
    now += deliveryLeaseMs;
    assert.equal((await deliverNotifications(deps(), routing)).delivered, 1);
    assert.deepEqual(receiver.received.map((request) => request.headers['idempotency-key']), [id, id], 'a redelivery the receiver can recognize');
    assert.equal((await notification(id)).attempts, 2);
    await cleanUp();
  });

  it('delivers each notification once when two runners work at the same time', async () => {
    const enqueued = new Set<string>();
    for (let index = 0; index < 20; index++) enqueued.add(await enqueue());
    const reports = await Promise.all([deliverNotifications(deps(), routing), deliverNotifications(deps(), routing), deliverNotifications(deps(), routing)]);
    assert.equal(reports.reduce((sum, report) => sum + report.delivered, 0), 20);
    const keys = receiver.received.map((request) => String(request.headers['idempotency-key']));
    assert.equal(keys.length, 20);
    assert.deepEqual(new Set(keys), enqueued);
    await cleanUp();
  });

  it('counts a receiver that does not answer in time as a retryable failure', async () => {
    const silent = createServer(() => undefined);
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const id = await enqueue();
    const slow: NotificationRouting = { ...routing, customer: webhookChannel({ shape: 'sms', url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, secret }), sendTimeoutMs: 200 };
    assert.equal((await deliverNotifications(deps(), slow)).retrying, 1);
    assert.match((await notification(id)).lastError ?? '', /TimeoutError|aborted/i);
    silent.closeAllConnections();
    silent.close();
    await cleanUp();
  });

  it('refuses a customer notification without a recipient before anything is committed', () => {
    const refused = enqueueNotification(ids, tenantId, now, { ...customerMessage, recipient: '' });
    assert.deepEqual(refused.ok ? null : [refused.code, refused.field], ['invalid_notification_data', 'recipient']);
    return cleanUp();
  });

  it('writes deliveries to the log file channel by default', async () => {
    const path = join(directory, 'notifications.ndjson');
    const id = await enqueue();
    await deliverNotifications(deps(), { ...routing, customer: logFileChannel(path) });
    const line = JSON.parse(readFileSync(path, 'utf8').trim()) as Record<string, unknown>;
    assert.deepEqual([line['idempotency_key'], line['recipient'], line['subject']], [id, '+2348030000000', 'Transaction Reversal Confirmation']);
    await cleanUp();
  });
});

/** Decodes a quoted-printable body (nodemailer's encoding for non-ASCII text). */
function quotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

describe('email through SMTP', () => {
  let server: SMTPServer;
  let port = 0;
  const messages: string[] = [];
  const refuseRecipients = new Set<string>();

  before(async () => {
    server = new SMTPServer({
      authOptional: true,
      hideSTARTTLS: true,
      disabledCommands: ['AUTH'],
      onRcptTo(address, _session, callback) {
        if (refuseRecipients.has(address.address)) {
          callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
          return;
        }
        callback();
      },
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          messages.push(Buffer.concat(chunks).toString('latin1'));
          callback();
        });
      },
    });
    server.listen(0, '127.0.0.1');
    await once(server.server, 'listening');
    port = (server.server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  }));

  async function deliverOne(recipient: string) {
    const directory = mkdtempSync(join(tmpdir(), 'contra-smtp-'));
    let now = Date.parse('2026-11-30T09:00:00Z');
    const clock = { now: () => now };
    const store = await openSqliteStore({ path: join(directory, 'contra.db'), clock });
    await store.migrate();
    const email = smtpChannel({ url: `smtp://127.0.0.1:${port}`, from: 'Contra <notify@example.test>' });
    const unused: NotificationChannel = { name: 'unused', send: () => Promise.reject(new Error('not this channel')) };
    const write = enqueueNotification(ulidGenerator(), tenantId, now, { ...customerMessage, recipient });
    assert.ok(write.ok);
    await store.commit({ tenantId, at: now, records: [write.value] });
    now += 1;
    const report = await deliverNotifications({ store, clock }, { customer: email, operations: unused, operationsRecipient: 'ops', sendTimeoutMs: 5_000 });
    const record = await store.getRecord(tenantId, notificationKind, write.value.id);
    email.close();
    await store.close();
    rmSync(directory, { recursive: true, force: true });
    assert.ok(record);
    return { report, id: write.value.id, notification: notificationFromRecord(record) };
  }

  it('sends the reversal email with its Message-ID and Idempotency-Key taken from the notification', async () => {
    const { report, id } = await deliverOne('ada@example.test');
    assert.equal(report.delivered, 1);
    const message = messages.at(-1) ?? '';
    assert.match(message, /^Subject: Transaction Reversal Confirmation\r?$/m);
    assert.match(message, new RegExp(`^Message-ID: <${id}@contra\\.notifications>\\r?$`, 'm'));
    assert.match(message, new RegExp(`^Idempotency-Key: ${id}\\r?$`, 'm'));
    assert.match(quotedPrintable(message), /Your transaction of ₦5,000\.00 has been reversed due to a failed transfer\./);
  });

  it('dead-letters an email the server refuses with a 5xx reply', async () => {
    refuseRecipients.add('gone@example.test');
    const { report, notification } = await deliverOne('gone@example.test');
    assert.equal(report.dead, 1);
    assert.match(notification.lastError ?? '', /SMTP server refused the message \(550\)/);
  });
});

// Reversals announce themselves (N1 with V4/V5): an automatic reversal enqueues the
// customer's "credited back" message in the same commit, and a manual case alerts
// operations; the delivery job sends both through a signed webhook, with ₦ amounts and the
// TXR reference, each once.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { createTenant, type Tenant } from '../support/client.ts';
import { fundedCustomer, readTransfer, toBank } from '../support/transfers.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { deliverNotifications } from '../../src/app/notifications/deliver-notifications.ts';
import { webhookChannel } from '../../src/adapters/notify/webhook-channel.ts';
import { verifyWebhookSignature } from '../../src/adapters/notify/webhook-signature.ts';
import type { NotificationRouting } from '../../src/app/ports/notification-channel.ts';

const secret = 'reversal-webhook-secret-0123';

describe('reversal notifications', () => {
  let service: TestService;
  let tenant: Tenant;
  const received: { headers: IncomingHttpHeaders; body: Record<string, unknown>; raw: string }[] = [];
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: request.headers, raw, body: JSON.parse(raw) as Record<string, unknown> });
      response.end('{}');
    });
  });
  let routing: NotificationRouting;

  before(async () => {
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    routing = {
      customer: webhookChannel({ shape: 'sms', url, secret }),
      operations: webhookChannel({ shape: 'webhook', url, secret }),
      operationsRecipient: 'ops-team', sendTimeoutMs: 2_000,
    };
    service = await startService();
    tenant = await createTenant(service, 'Notifying bank', { reversal_manual_channels: ['branch'] });
    await fundedCustomer(service, tenant, 'ada', '50000.00');
  });
  after(async () => {
    receiver.close();
    await assertLedgerBalances(service.runtime.deps.store);
    await service.close();
  });

  it("tells the customer their money is back, with the naira amount and the reversal reference", async () => {
    const answer = await toBank(service, tenant, 'note-auto', 'ada', '0123456796', '5000.00');
    assert.equal(answer.status, 502, answer.text);
    const reversalId = String((await readTransfer(service, tenant, 'note-auto'))['reversal_id']);
    assert.match(reversalId, /^TXR-\d{4}-\d{6}$/);
    const report = await deliverNotifications(service.runtime.deps, routing);
    assert.equal(report.delivered, 1);
    const [sms] = received.splice(0);
    assert.ok(sms);
    assert.ok(verifyWebhookSignature(secret, String(sms.headers['contra-signature']), sms.raw, Date.now()));
    assert.equal(sms.body['to'], 'ada');
    assert.equal(sms.body['message'], `Your transaction of ₦5,000.00 has been reversed due to a failed transfer. The money has been credited back to your account. Reference: ${reversalId}`);
    assert.equal((await deliverNotifications(service.runtime.deps, routing)).examined, 0, 'sent once');
  });

  it('alerts operations when a reversal needs a second person', async () => {
    const answer = await toBank(service, tenant, 'note-manual', 'ada', '0123456791', '300.00', { channel: 'branch' });
    assert.equal(answer.status, 502, answer.text);
    const reversalId = String((await readTransfer(service, tenant, 'note-manual'))['reversal_id']);
    await deliverNotifications(service.runtime.deps, routing);
    const alert = received.find((request) => request.body['template'] === 'reversal.approval_needed');
    assert.ok(alert, JSON.stringify(received.map((request) => request.body)));
    assert.deepEqual([alert.body['audience'], alert.body['recipient'], alert.body['subject']], ['operations', 'ops-team', `Reversal ${reversalId} needs approval`]);
    assert.match(String(alert.body['text']), /₦300\.00/);
  });
});

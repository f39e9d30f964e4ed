// The SQS FIFO audit path (A4) end to end on the Lambda root: the relay publishes committed
// audit records to a faithful fake SQS FIFO queue, a simulated event source mapping feeds
// received batches to the consumer handler as SQS events and deletes what it did not hand
// back, and the consumer writes the seed's PaymentAuditTrail entries. With a publisher
// entry failing and the consumer failing midway through a batch, every record arrives
// exactly once and every stream in order. A recorded SQS FIFO event drives the handler too.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { adminToken } from '../support/service.ts';
import { captureStdoutJson, emfMetrics, lambdaContext, openTestLambdaRoot, recordedEvent, type StdoutCapture, type TestLambdaRoot } from '../support/lambda.ts';
import { fakeQueueArn, fakeQueueUrl, installFakeSqsFifo, type FakeSqsFifo } from '../../src/adapters/queue/fake-sqs-fifo.ts';
import { auditExportHeadKind, auditExportIndexKey, auditExportKind, StoreAuditSink } from '../../src/adapters/audit-sink/store-audit-sink.ts';
import { auditGroupId, auditMessage } from '../../src/app/audit/audit-message.ts';
import { consumeAuditMessages } from '../../src/app/audit/consume-audit-queue.ts';
import { auditLine } from '../../src/app/backups/backup-format.ts';
import { relayAudit, type RelayReport } from '../../src/app/audit/relay-audit.ts';
import type { OrderedAuditSink, SinkOutcome } from '../../src/app/ports/audit-sink.ts';
import type { OrderedQueue } from '../../src/app/ports/ordered-queue.ts';
import { pageSizeMax, type StoredRecord } from '../../src/app/ports/store.ts';
import { hashAuditRecord, type AuditRecord } from '../../src/domain/audit/audit-record.ts';
import type { AuditRecordId, TenantId } from '../../src/domain/ids.ts';
import { auditQueueHandlerFor, type BatchResponse } from '../../src/interfaces/lambda/audit-queue-handler.ts';
import { httpHandlerFor } from '../../src/interfaces/lambda/http-handler.ts';
import { scheduledHandlerFor } from '../../src/interfaces/lambda/scheduled-handler.ts';
import { metricNames } from '../../src/interfaces/lambda/lambda-contract.ts';
import type { ProxyResult } from '../../src/interfaces/lambda/proxy-event.ts';

const context = lambdaContext('contra-audit-queue');
const body = (result: ProxyResult) => JSON.parse(result.body) as Record<string, unknown>;

/** An SQS event as the event source mapping builds it from received messages. */
function sqsEventOf(messages: readonly Message[]): unknown {
  return {
    Records: messages.map((message) => ({
      messageId: message.MessageId, receiptHandle: message.ReceiptHandle, body: message.Body, attributes: message.Attributes,
      messageAttributes: {}, md5OfBody: message.MD5OfBody, eventSource: 'aws:sqs', eventSourceARN: fakeQueueArn, awsRegion: 'eu-west-1',
    })),
  };
}

/** A JSON string's inside, for a placeholder inside quotes of a recorded event. */
const jsonText = (text: string) => JSON.stringify(text).slice(1, -1);

/** The sink under test, recording what it applied and failing where it is told to (once each). */
class RecordingSink implements OrderedAuditSink {
  readonly applied: { stream: string; sequence: number; id: string }[] = [];
  readonly failOnce = new Set<string>();
  constructor(private readonly inner: OrderedAuditSink) {}

  async apply(record: AuditRecord, options: { readonly detailsOmitted: boolean }): Promise<SinkOutcome> {
    if (this.failOnce.delete(record.id)) throw new Error(`injected consumer failure at ${record.id}`);
    const outcome = await this.inner.apply(record, options);
    if (outcome === 'applied') this.applied.push({ stream: `${record.tenantId}/${record.stream}`, sequence: record.sequence, id: record.id });
    return outcome;
  }
}

async function allRecords(lambda: TestLambdaRoot, tenantId: TenantId, kind: string, indexKey?: string): Promise<StoredRecord[]> {
  const records: StoredRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await lambda.root.runtime.deps.store.listRecords(tenantId, kind, { limit: pageSizeMax, ...(indexKey === undefined ? {} : { indexKey }), ...(cursor === undefined ? {} : { cursor }) });
    records.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return records;
}

describe('SQS FIFO audit path (Lambda)', () => {
  let lambda: TestLambdaRoot;
  let sqs: FakeSqsFifo;
  let client: SQSClient;
  let stdout: StdoutCapture;

  before(async () => {
    stdout = captureStdoutJson();
    sqs = installFakeSqsFifo(SQSClient, { visibilityTimeoutSeconds: 360, maxReceiveCount: 5 });
    client = new SQSClient({ region: 'eu-west-1' });
    lambda = await openTestLambdaRoot({ CONTRA_AUDIT_QUEUE_URL: fakeQueueUrl, AWS_REGION: 'eu-west-1' });
  });
  afterEach(async () => assertLedgerBalances(lambda.root.runtime.deps.store));
  after(async () => {
    stdout.restore();
    sqs.restore();
    await lambda.close();
  });

  const store = () => lambda.root.runtime.deps.store;
  const commitAudit = async (tenantId: TenantId, appends: readonly { id: string; stream: string; transactionId: string }[]) => {
    const committed = await store().commit({
      tenantId, at: Date.now(),
      audit: appends.map((append, index) => ({
        id: append.id as AuditRecordId, stream: append.stream, at: Date.now() + index, action: 'payment.status_changed', initiator: 'api_key:test',
        transactionId: append.transactionId, amount: '100.00', currency: 'NGN', status: 'PAYMENT-PENDING', reason: 'test',
      })),
    });
    assert.ok(committed.ok, JSON.stringify(committed));
  };

  it('applies a recorded SQS FIFO event in order, acknowledges replays, and hands back a gap with the rest of its group', async () => {
    const tenantId = 'tenant-recorded' as TenantId;
    await commitAudit(tenantId, [1, 2, 3, 4].map((index) => ({ id: `aud-rec-a${index}`, stream: 'txn:rec-a', transactionId: 'rec-a' })));
    await commitAudit(tenantId, [1, 2].map((index) => ({ id: `aud-rec-b${index}`, stream: 'txn:rec-b', transactionId: 'rec-b' })));
    const a = await store().listAuditStream(tenantId, 'txn:rec-a', 0, 10);
    const b = await store().listAuditStream(tenantId, 'txn:rec-b', 0, 10);
    const event = (records: readonly AuditRecord[]) => {
      const values: Record<string, string> = {};
      records.forEach((record, index) => {
        const message = auditMessage(record);
        values[`BODY_${index + 1}`] = jsonText(message.body);
        values[`GROUP_${index + 1}`] = jsonText(message.groupId);
        values[`DEDUPLICATION_${index + 1}`] = jsonText(message.deduplicationId);
        values[`MD5_${index + 1}`] = createHash('md5').update(message.body).digest('hex');
      });
      return recordedEvent('sqs-fifo-audit.json', values);
    };
    const ids = (received: unknown) => (received as { Records: { messageId: string }[] }).Records.map((record) => record.messageId);
    const handler = auditQueueHandlerFor(lambda.root);
    const [a1, a2, a3, a4] = a;
    const [b1, b2] = b;
    assert.ok(a1 && a2 && a3 && a4 && b1 && b2);

    assert.deepEqual(await handler(event([a1, b1, a2]), context), { batchItemFailures: [] });
    const from = stdout.lines.length;
    assert.deepEqual(await handler(event([a1, b1, a2]), context), { batchItemFailures: [] }, 'a redelivered batch is acknowledged');
    assert.equal(emfMetrics(stdout.lines.slice(from)).get(metricNames.auditDuplicate), 3);

    const gapped = event([a4, b2, a4]);
    const [first, , third] = ids(gapped);
    assert.deepEqual(await handler(gapped, context), { batchItemFailures: [{ itemIdentifier: first }, { itemIdentifier: third }] }, 'a-3 is missing: a-4 and the rest of group a go back, b-2 is applied');
    assert.deepEqual(await handler(event([a3, a4, a4]), context), { batchItemFailures: [] }, 'the missing record first, then the rest');

    const tampered = event([{ ...b2, amount: '1000000.00' }, b2, b2]);
    const [forged, ...rest] = ids(tampered);
    assert.deepEqual(await handler(tampered, context), { batchItemFailures: [forged, ...rest].map((id) => ({ itemIdentifier: id })) }, 'a record whose hash does not match is refused, and its group waits');

    const heads = await allRecords(lambda, tenantId, auditExportHeadKind);
    assert.deepEqual(heads.map((head) => [head.id, head.body['applied']]).sort(), [['txn:rec-a', 4], ['txn:rec-b', 2]]);
    const [entry] = await allRecords(lambda, tenantId, auditExportKind, auditExportIndexKey('txn:rec-b'));
    assert.deepEqual(entry?.body, {
      TransactionID: 'rec-b', RefundID: null, ReversalID: null, Timestamp: new Date(b1.at).toISOString(), Initiator: 'api_key:test',
      Amount: '100.00', Currency: 'NGN', Status: 'PAYMENT-PENDING', Reason: 'test', Action: 'payment.status_changed',
      Details: null, DetailsOmitted: false, AuditRecordID: b1.id, Stream: 'txn:rec-b', Sequence: 1, Hash: b1.hash,
    });
    await assert.rejects(handler({ Records: [{ messageId: 'x', body: '{}', eventSource: 'aws:sqs', attributes: {} }] }, context), { name: 'NotAnSqsFifoEventError' });
  });

  it('refuses a record that is not the one its stream holds at that sequence, sent without its details or rehashed, and then applies the genuine one', async () => {
    const tenantId = 'tenant-forged' as TenantId;
    await commitAudit(tenantId, [{ id: 'aud-forged-1', stream: 'txn:forged', transactionId: 'forged' }]);
    const [genuine] = await store().listAuditStream(tenantId, 'txn:forged', 0, 1);
    assert.ok(genuine);
    const sink = new StoreAuditSink({ store: store(), clock: lambda.root.runtime.deps.clock });
    const message = (record: AuditRecord, detailsOmitted: boolean) => ({
      id: `m-${record.hash.slice(0, 8)}-${String(detailsOmitted)}`, groupId: auditGroupId(tenantId, record.stream),
      body: `${JSON.stringify({ v: 1, tenant_id: tenantId, details_omitted: detailsOmitted })}\n${auditLine(record)}`,
    });
    // Said to be sent without details, so the consumer cannot recompute its hash: the genuine hash, forged fields.
    const omitted = { ...genuine, amount: '1.00', initiator: 'api_key:someone-else' };
    // A whole record forged and rehashed: its hash matches its fields, but it is not the trail's.
    const { hash: _hash, ...unsealed } = { ...genuine, amount: '1.00' };
    const rehashed = { ...unsealed, hash: hashAuditRecord(unsealed) };
    for (const [forged, detailsOmitted] of [[omitted, true], [rehashed, false]] as const) {
      const report = await consumeAuditMessages(sink, [message(forged, detailsOmitted), message(genuine, false)]);
      assert.deepEqual([report.applied, report.errors, report.failed.length], [0, 1, 2], `${JSON.stringify(report)}: the forged record and the rest of its group go back`);
    }
    assert.deepEqual(await allRecords(lambda, tenantId, auditExportKind), [], 'nothing forged was written');
    const report = await consumeAuditMessages(sink, [message(genuine, false)]);
    assert.equal(report.applied, 1, JSON.stringify(report));
    const [entry] = await allRecords(lambda, tenantId, auditExportKind);
    assert.deepEqual([entry?.body['Amount'], entry?.body['Initiator'], entry?.body['Hash']], ['100.00', 'api_key:test', genuine.hash]);
  });

  it('relays and consumes many records across transactions with a failed send and a consumer failure midway: none lost, none twice, each stream in order', async () => {
    const tenantId = 'tenant-fifo' as TenantId;
    const streams = Array.from({ length: 20 }, (_, index) => `q-${String(index).padStart(2, '0')}`);
    // Five records per transaction, committed in rounds that interleave the transactions.
    for (let sequence = 1; sequence <= 5; sequence++) {
      for (let start = 0; start < streams.length; start += 5) {
        await commitAudit(tenantId, streams.slice(start, start + 5).map((id) => ({ id: `aud-${id}-${sequence}`, stream: `txn:${id}`, transactionId: id })));
      }
    }
    const queue = lambda.root.runtime.auditQueue;
    assert.ok(queue !== null);
    const sink = new RecordingSink(new StoreAuditSink(lambda.root.runtime.deps));
    sink.failOnce.add('aud-q-00-3');
    const handler = auditQueueHandlerFor(lambda.root, sink);
    sqs.failNextSendOf('aud-q-05-2');

    // Two relays at once: each reads the same cursors, and their first sends meet at a barrier.
    let arrived = 0;
    let release: () => void = () => undefined;
    const barrier = new Promise<void>((resolve) => { release = resolve; });
    const gated = (): OrderedQueue => {
      let first = true;
      return {
        async sendBatch(messages) {
          if (first) {
            first = false;
            if (++arrived === 2) release();
            await barrier;
          }
          return queue.sendBatch(messages);
        },
      };
    };
    const reports: RelayReport[] = await Promise.all([relayAudit(lambda.root.runtime.deps, gated(), { limit: 60 }), relayAudit(lambda.root.runtime.deps, gated(), { limit: 60 })]);
    assert.ok(reports.some((report) => report.claimedElsewhere > 0), JSON.stringify(reports));
    assert.ok(sqs.counts.deduplicated > 0, 'the second relay\'s copies were deduplicated by record id');
    assert.ok(reports.some((report) => report.failed > 0 && report.failures.some((failure) => failure.stream === 'txn:q-05')), JSON.stringify(reports));

    // The event source mapping: receive up to ten, invoke, delete what was not handed back.
    const responses: { batch: Message[]; response: BatchResponse }[] = [];
    const pollOnce = async (): Promise<number> => {
      const batch = (await client.send(new ReceiveMessageCommand({ QueueUrl: fakeQueueUrl, MaxNumberOfMessages: 10 }))).Messages ?? [];
      if (batch.length === 0) return 0;
      const response = await handler(sqsEventOf(batch), context);
      responses.push({ batch, response });
      const handedBack = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
      const done = batch.filter((message) => !handedBack.has(message.MessageId ?? ''));
      if (done.length > 0) {
        const deleted = await client.send(new DeleteMessageBatchCommand({ QueueUrl: fakeQueueUrl, Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })) }));
        assert.equal(deleted.Failed?.length ?? 0, 0);
      }
      return batch.length;
    };
    for (let round = 0; round < 100; round++) {
      const published = (await relayAudit(lambda.root.runtime.deps, queue, { limit: 25 })).published;
      let received = 0;
      for (let polled = await pollOnce(); polled > 0; polled = await pollOnce()) received += polled;
      if (published === 0 && received === 0 && sqs.queue.length === 0) break;
      // Handed-back messages come back when their visibility timeout ends; new records are relayed meanwhile.
      sqs.advance(6 * 60_000);
    }

    // The consumer failed midway through a batch: that record and the later ones of its group went back, other groups were applied.
    const failedAt = responses.find(({ response }) => response.batchItemFailures.length > 0 && response.batchItemFailures.length < 10);
    assert.ok(failedAt !== undefined);
    const groupOf = (id: string) => failedAt.batch.find((message) => message.MessageId === id)?.Attributes?.['MessageGroupId'];
    const failedGroups = new Set(failedAt.response.batchItemFailures.map((failure) => groupOf(failure.itemIdentifier)));
    assert.deepEqual([...failedGroups], [`${tenantId}/txn:q-00`]);
    assert.ok(failedAt.response.batchItemFailures.length >= 2, 'the later records of the group went back too');
    assert.ok(failedAt.batch.some((message) => !failedGroups.has(message.Attributes?.['MessageGroupId'])), 'the batch mixed groups');

    assert.equal(sqs.deadLetters.length, 0);
    assert.equal(sqs.queue.length, 0);
    for (const stream of streams) {
      const applied = sink.applied.filter((entry) => entry.stream === `${tenantId}/txn:${stream}`).map((entry) => entry.sequence);
      assert.deepEqual(applied, [1, 2, 3, 4, 5], `${stream}: every record once, in order`);
      const entries = await allRecords(lambda, tenantId, auditExportKind, auditExportIndexKey(`txn:${stream}`));
      assert.deepEqual(entries.map((entry) => entry.id).sort(), [1, 2, 3, 4, 5].map((sequence) => `aud-${stream}-${sequence}`));
    }
  });

  it('carries real actions through the scheduled relay handler: every tenant\'s every record has its entry', async () => {
    const http = httpHandlerFor(lambda.root);
    const created = await http(recordedEvent('tenant-create-rest-v1.json', { BOOTSTRAP_TOKEN: adminToken }));
    assert.equal(created.statusCode, 201, created.body);
    const apiKey = String(body(created)['api_key']);
    const paid = await http(recordedEvent('payment-create-http-v2.json', { API_KEY: apiKey, TRANSACTION_ID: 'fifo-pay-1', CARD_NUMBER: '4000000000007726' }));
    assert.equal(paid.statusCode, 201, paid.body);
    const refund = await http(recordedEvent('refund-rest-v1.json', { API_KEY: apiKey, TRANSACTION_ID: 'fifo-pay-1', IDEMPOTENCY_KEY: 'fifo-ref-1' }));
    assert.ok(refund.statusCode < 300, refund.body);

    const relayed = await scheduledHandlerFor(lambda.root, 'relay-audit')(recordedEvent('scheduled-event.json', { JOB: 'relay-audit' }), context);
    assert.equal(relayed.status, 'done', JSON.stringify(relayed));
    assert.ok((relayed as { report: RelayReport }).report.published > 0);
    const handler = auditQueueHandlerFor(lambda.root);
    for (;;) {
      const batch = (await client.send(new ReceiveMessageCommand({ QueueUrl: fakeQueueUrl, MaxNumberOfMessages: 10 }))).Messages ?? [];
      if (batch.length === 0) break;
      assert.deepEqual(await handler(sqsEventOf(batch), context), { batchItemFailures: [] });
      await client.send(new DeleteMessageBatchCommand({ QueueUrl: fakeQueueUrl, Entries: batch.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })) }));
    }
    for (const tenantId of await store().listTenantIds()) {
      const exported = new Set((await allRecords(lambda, tenantId, auditExportKind)).map((entry) => entry.id));
      const records: AuditRecord[] = [];
      await store().scanAudit(tenantId, () => (record) => records.push(record));
      assert.deepEqual(records.filter((record) => !exported.has(record.id)).map((record) => record.id), [], `every record of ${tenantId} was exported`);
      assert.equal(exported.size, records.length, `nothing else was exported for ${tenantId}`);
    }
    const refundEntries = (await allRecords(lambda, String(body(created)['tenant_id']) as TenantId, auditExportKind))
      .filter((entry) => entry.body['TransactionID'] === 'fifo-pay-1' && entry.body['RefundID'] !== null);
    assert.ok(refundEntries.length > 0, 'the refund\'s audit records reached the trail with their RefundID');
  });
});

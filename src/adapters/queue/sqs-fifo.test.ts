// The SQS FIFO adapter of the ordered queue, against the fake SQS FIFO (aws-sdk-client-mock),
// and the fake itself held to what the SQS documentation promises: per-group order, a group
// blocked while it has a message in flight, redelivery after the visibility timeout, the
// dead-letter queue, deduplication within five minutes, batch limits, per-entry failures.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { orderedMessageBytesMax, type OrderedMessage } from '../../app/ports/ordered-queue.ts';
import { deduplicationWindowMs, fakeQueueUrl, installFakeSqsFifo, type FakeSqsFifo } from './fake-sqs-fifo.ts';
import { SqsFifoQueue } from './sqs-fifo.ts';

const message = (groupId: string, deduplicationId: string, body = `${groupId}:${deduplicationId}`): OrderedMessage => ({ groupId, deduplicationId, body });

describe('SQS FIFO queue adapter and its fake', () => {
  let client: SQSClient;
  let sqs: FakeSqsFifo;
  let queue: SqsFifoQueue;

  const receive = async (max = 10): Promise<Message[]> => (await client.send(new ReceiveMessageCommand({ QueueUrl: fakeQueueUrl, MaxNumberOfMessages: max }))).Messages ?? [];
  const remove = async (messages: readonly Message[]): Promise<void> => {
    if (messages.length === 0) return;
    await client.send(new DeleteMessageBatchCommand({ QueueUrl: fakeQueueUrl, Entries: messages.map((received, index) => ({ Id: String(index), ReceiptHandle: received.ReceiptHandle })) }));
  };
  const bodies = (messages: readonly Message[]) => messages.map((received) => received.Body);

  beforeEach(() => {
    client = new SQSClient({ region: 'eu-west-1' });
    sqs = installFakeSqsFifo(client, { visibilityTimeoutSeconds: 30, maxReceiveCount: 2 });
    queue = new SqsFifoQueue({ client, queueUrl: fakeQueueUrl });
  });
  afterEach(() => {
    sqs.restore();
  });

  it('refuses a queue that is not FIFO', () => {
    assert.throws(() => new SqsFifoQueue({ client, queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/contra-audit' }), /FIFO/);
  });

  it('sends one message per group with the group and deduplication ids, and reports each entry', async () => {
    sqs.failNextSendOf('b-1');
    const outcomes = await queue.sendBatch([message('a', 'a-1'), message('b', 'b-1'), message('c', 'c-1')]);
    assert.deepEqual(outcomes.map((outcome) => outcome.ok), [true, false, true]);
    assert.match(outcomes[1]?.ok === false ? outcomes[1].reason : '', /InternalError/);
    assert.deepEqual(sqs.queue.map((queued) => [queued.groupId, queued.deduplicationId]), [['a', 'a-1'], ['c', 'c-1']]);
  });

  it('refuses more than ten messages, two of one group, or a body above the size limit', async () => {
    await assert.rejects(queue.sendBatch(Array.from({ length: 11 }, (_, index) => message(`g${index}`, `m${index}`))), /at most 10/);
    await assert.rejects(queue.sendBatch([message('a', 'a-1'), message('a', 'a-2')]), /one message per group/);
    const outcomes = await queue.sendBatch([message('a', 'a-1', 'x'.repeat(orderedMessageBytesMax + 1)), message('b', 'b-1')]);
    assert.deepEqual(outcomes, [{ ok: false, reason: `message_too_large: above ${orderedMessageBytesMax} bytes` }, { ok: true }]);
    assert.equal(sqs.queue.length, 1, 'the oversized message never reached the queue');
  });

  it('the fake refuses what SQS refuses: eleven entries, a batch above 256 KiB, entries without group or deduplication id', async () => {
    const send = (entries: { Id: string; MessageBody: string; MessageGroupId?: string; MessageDeduplicationId?: string }[]) =>
      client.send(new SendMessageBatchCommand({ QueueUrl: fakeQueueUrl, Entries: entries }));
    await assert.rejects(send(Array.from({ length: 11 }, (_, index) => ({ Id: `${index}`, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: `d${index}` }))), { name: 'TooManyEntriesInBatchRequest' });
    await assert.rejects(send([1, 2].map((index) => ({ Id: `${index}`, MessageBody: 'x'.repeat(140_000), MessageGroupId: 'g', MessageDeduplicationId: `d${index}` }))), { name: 'BatchRequestTooLong' });
    const output = await send([{ Id: '1', MessageBody: 'x', MessageDeduplicationId: 'd1' }, { Id: '2', MessageBody: 'x', MessageGroupId: 'g' }]);
    assert.deepEqual(output.Failed?.map((entry) => entry.Code), ['MissingParameter', 'InvalidParameterValue']);
  });

  it('deduplicates by id within five minutes, and not after', async () => {
    await queue.sendBatch([message('a', 'a-1')]);
    sqs.advance(deduplicationWindowMs - 1);
    assert.deepEqual(await queue.sendBatch([message('a', 'a-1')]), [{ ok: true }]);
    assert.equal(sqs.queue.length, 1);
    assert.equal(sqs.counts.deduplicated, 1);
    sqs.advance(1);
    await queue.sendBatch([message('a', 'a-1')]);
    assert.equal(sqs.queue.length, 2, 'past the window the same id is a new message');
  });

  it('receives groups in order, mixing groups, and blocks a group while it has a message in flight', async () => {
    for (let index = 1; index <= 4; index++) await queue.sendBatch([message('a', `a-${index}`), message('b', `b-${index}`)]);
    const first = await receive(3);
    assert.deepEqual(bodies(first), ['a:a-1', 'a:a-2', 'a:a-3'], 'as many of one group as it can');
    const second = await receive(10);
    assert.deepEqual(bodies(second), ['b:b-1', 'b:b-2', 'b:b-3', 'b:b-4'], 'group a is in flight: only b');
    assert.deepEqual(await receive(10), [], 'both groups in flight');
    await remove(first.slice(0, 2));
    assert.deepEqual(await receive(10), [], 'a-3 is still in flight: a-4 waits');
    await remove(first.slice(2));
    assert.deepEqual(bodies(await receive(10)), ['a:a-4']);
  });

  it('delivers a message not deleted again after its visibility timeout, in order, then moves it to the dead-letter queue', async () => {
    await queue.sendBatch([message('a', 'a-1')]);
    await queue.sendBatch([message('a', 'a-2')]);
    const first = await receive();
    assert.deepEqual(bodies(first), ['a:a-1', 'a:a-2']);
    sqs.advance(29_999);
    assert.deepEqual(await receive(), []);
    sqs.advance(1);
    const again = await receive();
    assert.deepEqual(bodies(again), ['a:a-1', 'a:a-2']);
    assert.equal(again[0]?.Attributes?.['ApproximateReceiveCount'], '2');
    await assert.doesNotReject(remove(first), 'an old receipt handle is refused per entry, not thrown');
    assert.equal(sqs.queue.length, 2);
    sqs.advance(30_000);
    assert.deepEqual(await receive(), [], 'received twice already (maxReceiveCount 2): both go to the dead-letter queue');
    assert.deepEqual(sqs.deadLetters.map((dead) => dead.deduplicationId), ['a-1', 'a-2']);
  });
});

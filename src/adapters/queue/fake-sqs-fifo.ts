// A fake Amazon SQS FIFO queue for tests, installed with aws-sdk-client-mock on SQSClient
// (an instance, or the class). It keeps what the SQS documentation promises and nothing
// more: messages of a group are received in the order they were accepted; while a group
// has a message in flight (received, neither deleted nor visible again) no other message
// of the group is received; a receive may mix groups, taking as many of one group's
// messages as it can; a message not deleted becomes visible again when its visibility
// timeout ends, with its receive count raised, and moves to the dead-letter queue when
// received more than `maxReceiveCount` times; a deduplication id accepted within the last
// five minutes is accepted again without a second message. SendMessageBatch takes at most
// ten entries and 256 KiB, needs a group and a deduplication id on every entry (no
// content-based deduplication), and reports each entry; tests can make chosen entries fail.
import { createHash, randomUUID } from 'node:crypto';
import {
  BatchEntryIdsNotDistinct,
  BatchRequestTooLong,
  DeleteMessageBatchCommand,
  EmptyBatchRequest,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  TooManyEntriesInBatchRequest,
  type DeleteMessageBatchCommandInput,
  type DeleteMessageBatchCommandOutput,
  type Message,
  type ReceiveMessageCommandInput,
  type ReceiveMessageCommandOutput,
  type SendMessageBatchCommandInput,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';

export const fakeQueueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/contra-audit.fifo';
export const fakeQueueArn = 'arn:aws:sqs:eu-west-1:123456789012:contra-audit.fifo';
/** SQS's deduplication interval. */
export const deduplicationWindowMs = 5 * 60_000;
const batchEntriesMax = 10;
const batchBytesMax = 256 * 1024;
const metadata = { httpStatusCode: 400, requestId: 'fake-sqs' };

export type FakeMessage = {
  readonly messageId: string;
  readonly groupId: string;
  readonly deduplicationId: string;
  readonly body: string;
  readonly sequenceNumber: string;
  readonly sentAt: number;
  receiveCount: number;
  firstReceivedAt: number | null;
  /** Set while in flight: the handle of the current receive and when the message is visible again. */
  receiptHandle: string | null;
  visibleAt: number;
};

export type FakeSqsFifo = {
  /** The fake's clock (ms): visibility timeouts and the deduplication window run on it. */
  now(): number;
  advance(ms: number): void;
  /** Makes the next send of an entry with this deduplication id fail (once per call). */
  failNextSendOf(deduplicationId: string): void;
  readonly queue: readonly FakeMessage[];
  readonly deadLetters: readonly FakeMessage[];
  /** Entries accepted but not enqueued because their deduplication id was seen within the window. */
  readonly counts: { sent: number; deduplicated: number; failedSends: number; received: number; deleted: number };
  inFlight(): number;
  restore(): void;
};

export type FakeSqsOptions = { readonly visibilityTimeoutSeconds?: number; readonly maxReceiveCount?: number; readonly startAt?: number };

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

class FakeSqsState {
  clock: number;
  readonly queue: FakeMessage[] = [];
  readonly deadLetters: FakeMessage[] = [];
  readonly seen = new Map<string, { at: number; messageId: string; sequenceNumber: string }>();
  readonly failOnce = new Map<string, number>();
  readonly counts = { sent: 0, deduplicated: 0, failedSends: 0, received: 0, deleted: 0 };
  #sequence = 0n;

  constructor(readonly visibilityTimeoutMs: number, readonly maxReceiveCount: number, startAt: number) {
    this.clock = startAt;
  }

  #checkQueue(url: string | undefined): void {
    if (url !== fakeQueueUrl) throw new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: metadata });
  }

  sendMessageBatch(input: SendMessageBatchCommandInput): SendMessageBatchCommandOutput {
    this.#checkQueue(input.QueueUrl);
    const entries = input.Entries ?? [];
    if (entries.length === 0) throw new EmptyBatchRequest({ message: 'There should be at least one SendMessageBatchRequestEntry in the request.', $metadata: metadata });
    if (entries.length > batchEntriesMax) throw new TooManyEntriesInBatchRequest({ message: `Maximum number of entries per request are ${batchEntriesMax}.`, $metadata: metadata });
    if (new Set(entries.map((entry) => entry.Id)).size !== entries.length) throw new BatchEntryIdsNotDistinct({ message: 'Two or more batch entries have the same Id.', $metadata: metadata });
    if (entries.reduce((sum, entry) => sum + Buffer.byteLength(entry.MessageBody ?? ''), 0) > batchBytesMax) {
      throw new BatchRequestTooLong({ message: 'Batch requests cannot be longer than 262144 bytes.', $metadata: metadata });
    }
    const output: SendMessageBatchCommandOutput = { Successful: [], Failed: [], $metadata: {} };
    for (const entry of entries) {
      const failure = this.#refusal(entry);
      if (failure !== null) {
        this.counts.failedSends++;
        output.Failed?.push({ Id: entry.Id, ...failure });
        continue;
      }
      const accepted = this.#accept(entry);
      output.Successful?.push({ Id: entry.Id, MessageId: accepted.messageId, MD5OfMessageBody: md5(entry.MessageBody ?? ''), SequenceNumber: accepted.sequenceNumber });
    }
    return output;
  }

  #refusal(entry: SendMessageBatchRequestEntry): { SenderFault: boolean; Code: string; Message: string } | null {
    if (entry.MessageGroupId === undefined || entry.MessageGroupId === '') {
      return { SenderFault: true, Code: 'MissingParameter', Message: 'The request must contain the parameter MessageGroupId.' };
    }
    if (entry.MessageDeduplicationId === undefined || entry.MessageDeduplicationId === '') {
      return { SenderFault: true, Code: 'InvalidParameterValue', Message: 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly' };
    }
    const pending = this.failOnce.get(entry.MessageDeduplicationId) ?? 0;
    if (pending > 0) {
      this.failOnce.set(entry.MessageDeduplicationId, pending - 1);
      return { SenderFault: false, Code: 'InternalError', Message: 'injected failure' };
    }
    return null;
  }

  #accept(entry: SendMessageBatchRequestEntry): { messageId: string; sequenceNumber: string } {
    const deduplicationId = entry.MessageDeduplicationId ?? '';
    const earlier = this.seen.get(deduplicationId);
    if (earlier !== undefined && this.clock - earlier.at < deduplicationWindowMs) {
      this.counts.deduplicated++;
      return earlier;
    }
    this.#sequence += 1n;
    const message: FakeMessage = {
      messageId: randomUUID(), groupId: entry.MessageGroupId ?? '', deduplicationId, body: entry.MessageBody ?? '',
      sequenceNumber: this.#sequence.toString().padStart(20, '0'), sentAt: this.clock,
      receiveCount: 0, firstReceivedAt: null, receiptHandle: null, visibleAt: this.clock,
    };
    this.queue.push(message);
    this.seen.set(deduplicationId, { at: this.clock, messageId: message.messageId, sequenceNumber: message.sequenceNumber });
    this.counts.sent++;
    return message;
  }

  #isInFlight(message: FakeMessage): boolean {
    return message.receiptHandle !== null && message.visibleAt > this.clock;
  }

  receiveMessage(input: ReceiveMessageCommandInput): ReceiveMessageCommandOutput {
    this.#checkQueue(input.QueueUrl);
    const max = Math.min(input.MaxNumberOfMessages ?? 1, batchEntriesMax);
    const visibilityMs = input.VisibilityTimeout === undefined ? this.visibilityTimeoutMs : input.VisibilityTimeout * 1000;
    const blocked = new Set(this.queue.filter((message) => this.#isInFlight(message)).map((message) => message.groupId));
    const taken: FakeMessage[] = [];
    // Groups in the order of their oldest message; from each, its oldest messages in order.
    const groups = [...new Set(this.queue.map((message) => message.groupId))];
    for (const group of groups) {
      if (blocked.has(group)) continue;
      for (const message of this.queue.filter((candidate) => candidate.groupId === group)) {
        if (taken.length >= max) break;
        if (message.receiveCount >= this.maxReceiveCount) {
          // Received too often: the redrive policy moves it, and the group goes on after it.
          this.queue.splice(this.queue.indexOf(message), 1);
          this.deadLetters.push(message);
          continue;
        }
        taken.push(message);
      }
    }
    const messages: Message[] = taken.map((message) => {
      message.receiveCount++;
      message.firstReceivedAt ??= this.clock;
      message.receiptHandle = randomUUID();
      message.visibleAt = this.clock + visibilityMs;
      return {
        MessageId: message.messageId, ReceiptHandle: message.receiptHandle, MD5OfBody: md5(message.body), Body: message.body,
        Attributes: {
          MessageGroupId: message.groupId, MessageDeduplicationId: message.deduplicationId, SequenceNumber: message.sequenceNumber,
          ApproximateReceiveCount: String(message.receiveCount), SentTimestamp: String(message.sentAt),
          ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt), SenderId: 'AROAEXAMPLE:contra-relay-audit',
        },
      };
    });
    this.counts.received += messages.length;
    return { ...(messages.length === 0 ? {} : { Messages: messages }), $metadata: {} };
  }

  deleteMessageBatch(input: DeleteMessageBatchCommandInput): DeleteMessageBatchCommandOutput {
    this.#checkQueue(input.QueueUrl);
    const output: DeleteMessageBatchCommandOutput = { Successful: [], Failed: [], $metadata: {} };
    for (const entry of input.Entries ?? []) {
      const index = this.queue.findIndex((message) => message.receiptHandle === entry.ReceiptHandle);
      if (index < 0) {
        output.Failed?.push({ Id: entry.Id, SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'The receipt handle is not valid.' });
        continue;
      }
      this.queue.splice(index, 1);
      this.counts.deleted++;
      output.Successful?.push({ Id: entry.Id });
    }
    return output;
  }
}

/** Installs the fake on a client instance, or on every SQSClient when given the class. */
export function installFakeSqsFifo(target: SQSClient | typeof SQSClient = SQSClient, options: FakeSqsOptions = {}): FakeSqsFifo {
  const state = new FakeSqsState((options.visibilityTimeoutSeconds ?? 360) * 1000, options.maxReceiveCount ?? 5, options.startAt ?? Date.UTC(2026, 10, 30));
  const stub = mockClient(target);
  stub.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => state.sendMessageBatch(input));
  stub.on(ReceiveMessageCommand).callsFake((input: ReceiveMessageCommandInput) => state.receiveMessage(input));
  stub.on(DeleteMessageBatchCommand).callsFake((input: DeleteMessageBatchCommandInput) => state.deleteMessageBatch(input));
  return {
    now: () => state.clock,
    advance(ms) {
      state.clock += ms;
    },
    failNextSendOf(deduplicationId) {
      state.failOnce.set(deduplicationId, (state.failOnce.get(deduplicationId) ?? 0) + 1);
    },
    queue: state.queue,
    deadLetters: state.deadLetters,
    counts: state.counts,
    inFlight: () => state.queue.filter((message) => message.receiptHandle !== null && message.visibleAt > state.clock).length,
    restore: () => {
      stub.restore();
    },
  };
}

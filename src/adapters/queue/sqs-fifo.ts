// The ordered queue on Amazon SQS FIFO (A4): SendMessageBatch with the message group and
// deduplication ids the relay chose; each entry's outcome is read from the response, so a
// refused entry is reported as such while the others of the batch stand. Messages above
// the size limit are refused here, before any call. Region and credentials come from the
// SDK's default chain (the function's role in Lambda).
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { invariant } from '../../domain/invariant.ts';
import { fifoQueueUrlPattern } from './fifo-queue-url.ts';
import { orderedBatchMax, orderedMessageBytesMax, type OrderedMessage, type OrderedQueue, type SendOutcome } from '../../app/ports/ordered-queue.ts';


export type SqsFifoQueueOptions = { readonly client: SQSClient; readonly queueUrl: string };

export class SqsFifoQueue implements OrderedQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: SqsFifoQueueOptions) {
    invariant(fifoQueueUrlPattern.test(options.queueUrl), 'the audit queue must be an SQS FIFO queue (its URL ends in .fifo)');
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async sendBatch(messages: readonly OrderedMessage[]): Promise<readonly SendOutcome[]> {
    invariant(messages.length <= orderedBatchMax, `at most ${orderedBatchMax} messages per batch`);
    invariant(new Set(messages.map((message) => message.groupId)).size === messages.length, 'one message per group per batch');
    const outcomes: SendOutcome[] = messages.map((message) => (Buffer.byteLength(message.body) > orderedMessageBytesMax
      ? { ok: false, reason: `message_too_large: above ${orderedMessageBytesMax} bytes` }
      : { ok: true }));
    const entries = messages.flatMap((message, index) => (outcomes[index]?.ok === true ? [{
      Id: String(index), MessageBody: message.body, MessageGroupId: message.groupId, MessageDeduplicationId: message.deduplicationId,
    }] : []));
    invariant(entries.reduce((sum, entry) => sum + Buffer.byteLength(entry.MessageBody), 0) <= orderedMessageBytesMax, `a batch above ${orderedMessageBytesMax} bytes`);
    if (entries.length === 0) return outcomes;
    const output = await this.#client.send(new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: entries }));
    const succeeded = new Set((output.Successful ?? []).map((entry) => entry.Id));
    const failed = new Map((output.Failed ?? []).map((entry) => [entry.Id, `${entry.Code ?? 'unknown'}: ${entry.Message ?? ''}`.trim()]));
    for (const entry of entries) {
      const index = Number(entry.Id);
      if (succeeded.has(entry.Id)) continue;
      outcomes[index] = { ok: false, reason: failed.get(entry.Id) ?? 'the response did not mention the entry' };
    }
    return outcomes;
  }
}

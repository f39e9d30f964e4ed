// An ordered message queue (the seed's SQS FIFO role, A4): messages of one group are kept
// in the order they were accepted; a deduplication id sent twice within the queue's window
// is accepted once. The adapter is SQS FIFO (src/adapters/queue/sqs-fifo.ts).

/** The most messages one send takes (SQS SendMessageBatch: 10). */
export const orderedBatchMax = 10;
/**
 * The largest message body, in UTF-8 bytes, and the largest sum of one batch's bodies.
 * SQS's own limit is 256 KiB per message and per batch (AWS has since announced 1 MiB;
 * Contra keeps 256 KiB so that a queue created with the older maximum still takes it).
 */
export const orderedMessageBytesMax = 256 * 1024;

export type OrderedMessage = {
  /** Messages of one group are delivered one group at a time, in order. */
  readonly groupId: string;
  /** A second message with this id within the deduplication window is accepted but not enqueued. */
  readonly deduplicationId: string;
  readonly body: string;
};

export type SendOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string };

export interface OrderedQueue {
  /**
   * Sends at most `orderedBatchMax` messages, each of a different group (so a failed
   * message never has a later message of its group accepted before it). Answers one
   * outcome per message, in the order given; a failure of the whole call throws.
   */
  sendBatch(messages: readonly OrderedMessage[]): Promise<readonly SendOutcome[]>;
}

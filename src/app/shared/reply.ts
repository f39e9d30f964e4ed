// A use case's answer in the seeds' Lambda shape (P5): a status code and a body with
// `message` and `status`. HTTP and Lambda send it as is; idempotent replays return the
// stored body text byte for byte.
import type { JsonObject } from '../ports/store.ts';

export type Reply = { readonly statusCode: number; readonly body: JsonObject };

/** A reply as first sent: its exact body text, kept for replays. */
export type StoredReply = { readonly statusCode: number; readonly bodyText: string; readonly replayed: boolean };

export function storeReply(reply: Reply, replayed = false): StoredReply {
  return { statusCode: reply.statusCode, bodyText: JSON.stringify(reply.body), replayed };
}

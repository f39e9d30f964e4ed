// Idempotency keys (R6, API.md "Idempotency"): the key's record is written in the same
// changeset as the work it guards, holding a hash of the request and, once known, the
// reply. A replay returns that reply; the same key with another request is refused.
import type { TenantId } from '../../domain/ids.ts';
import type { JsonObject, RecordWrite, Store, StoredRecord } from '../ports/store.ts';
import type { Reply, StoredReply } from './reply.ts';
import { refuse } from '../../domain/result.ts';
import type { Decision } from './commit.ts';

export const idempotencyKind = 'idempotency';
export const idempotencyKeyPattern = /^[A-Za-z0-9_.:-]{1,128}$/;

export type IdempotencyRequest = { readonly key: string; readonly requestHash: string };

export type IdempotencyLookup =
  | { readonly state: 'new' }
  | { readonly state: 'reused' }
  | { readonly state: 'in_progress'; readonly record: StoredRecord }
  | { readonly state: 'done'; readonly reply: StoredReply };

export async function lookUpIdempotency(store: Store, tenantId: TenantId, request: IdempotencyRequest): Promise<IdempotencyLookup> {
  const record = await store.getRecord(tenantId, idempotencyKind, request.key);
  if (record === null) return { state: 'new' };
  return classify(record, request.requestHash);
}

export function classify(record: StoredRecord, requestHash: string): IdempotencyLookup {
  if (record.body['request_hash'] !== requestHash) return { state: 'reused' };
  const statusCode = record.body['status_code'];
  const bodyText = record.body['body_text'];
  if (typeof statusCode === 'number' && typeof bodyText === 'string') {
    return { state: 'done', reply: { statusCode, bodyText, replayed: true } };
  }
  return { state: 'in_progress', record };
}

/** The record for a key whose work is committed with its reply in one changeset. */
export function completedKeyWrite(request: IdempotencyRequest, reply: Reply, expectedVersion = 0, resource?: string): RecordWrite {
  const body: JsonObject = {
    request_hash: request.requestHash,
    status_code: reply.statusCode,
    body_text: JSON.stringify(reply.body),
    ...(resource === undefined ? {} : { resource }),
  };
  return { kind: idempotencyKind, id: request.key, body, expectedVersion };
}

/** The record for a key whose work has started but whose reply is not known yet. */
export function startedKeyWrite(request: IdempotencyRequest, resource: string): RecordWrite {
  return { kind: idempotencyKind, id: request.key, body: { request_hash: request.requestHash, resource }, expectedVersion: 0 };
}

/**
 * For work committed with its reply in one changeset: the stored reply when the key is
 * done, a refusal when it was used for another request, null when the work is new.
 */
export async function completedReplay(store: Store, tenantId: TenantId, request: IdempotencyRequest | null): Promise<Decision<StoredReply, 'idempotency_key_reused'> | null> {
  if (request === null) return null;
  const known = await lookUpIdempotency(store, tenantId, request);
  if (known.state === 'reused') return refuse('idempotency_key_reused', undefined, 'this Idempotency-Key was used for another request');
  if (known.state === 'done') return { ok: true, changeset: null, value: known.reply };
  return null;
}

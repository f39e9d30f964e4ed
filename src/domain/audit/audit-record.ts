// PaymentAuditTrail records (A1) and the hash chain that makes them tamper evident (A3).
// A record's hash covers every field, the encrypted details as ciphertext and the previous
// record's hash in its stream, so anyone can verify a chain and only auditors can read it.
import { createHash } from 'node:crypto';
import type { SealedEnvelope } from '../crypto/envelope.ts';
import type { AuditRecordId, TenantId } from '../ids.ts';

/** The hash that stands before the first record of every stream. */
export const genesisHash = '0'.repeat(64);

export type AuditAppend = {
  readonly id: AuditRecordId;
  /** The chain the record belongs to: `txn:<TransactionID>`, `tenant`, `access`, … */
  readonly stream: string;
  readonly at: number;
  /** What happened: `payment.initiated`, `ledger.read`, `api_key.created`, … */
  readonly action: string;
  /** Who did it: an API key id, `bootstrap`, or `system:<job>`. */
  readonly initiator: string;
  readonly transactionId?: string;
  readonly refundId?: string;
  readonly reversalId?: string;
  /** Decimal string in major units, as on the wire ("100.00"). */
  readonly amount?: string;
  readonly currency?: string;
  readonly status: string;
  readonly reason?: string;
  /** The encrypted query and response details. */
  readonly details?: SealedEnvelope;
};

export type AuditRecord = AuditAppend & {
  readonly tenantId: TenantId;
  /** Position in its stream, from 1. */
  readonly sequence: number;
  readonly previousHash: string;
  readonly hash: string;
};

/** The fields a hash covers, in a fixed order, so that no serializer detail changes a hash. */
function canonicalFields(record: Omit<AuditRecord, 'hash'>): unknown[] {
  const details = record.details;
  return [
    'contra-audit-v1',
    record.tenantId,
    record.stream,
    record.sequence,
    record.previousHash,
    record.id,
    record.at,
    record.action,
    record.initiator,
    record.transactionId ?? null,
    record.refundId ?? null,
    record.reversalId ?? null,
    record.amount ?? null,
    record.currency ?? null,
    record.status,
    record.reason ?? null,
    details === undefined
      ? null
      : [details.v, details.masterKeyId, details.wrappedKey, details.iv, details.tag, details.ciphertext],
  ];
}

export function hashAuditRecord(record: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(JSON.stringify(canonicalFields(record))).digest('hex');
}

/** Chains a new record onto its stream's head (`null` for an empty stream). */
export function chainAuditRecord(
  tenantId: TenantId,
  append: AuditAppend,
  head: { sequence: number; hash: string } | null,
): AuditRecord {
  const unsealed: Omit<AuditRecord, 'hash'> = {
    ...append,
    tenantId,
    sequence: (head?.sequence ?? 0) + 1,
    previousHash: head?.hash ?? genesisHash,
  };
  return { ...unsealed, hash: hashAuditRecord(unsealed) };
}

export type AuditStreamHead = { readonly stream: string; readonly sequence: number; readonly hash: string };

export type AuditCheckpoint = {
  readonly tenantId: TenantId;
  readonly sequence: number;
  readonly at: number;
  /** Hash over every stream head at the time, in stream order, and the previous checkpoint. */
  readonly headsHash: string;
  /**
   * The sealed stream heads themselves, in stream order. Records appended after the
   * checkpoint legitimately go beyond these heads, so verification needs each stream's
   * sealed sequence to find the record the checkpoint vouches for.
   */
  readonly heads: readonly AuditStreamHead[];
  readonly streamCount: number;
  readonly recordCount: number;
  readonly previousHash: string;
  readonly hash: string;
};

/** The order of streams everywhere: by UTF-16 code units, as JavaScript compares strings. */
export function compareStreams(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function hashStreamHeads(heads: readonly AuditStreamHead[]): string {
  const ordered = [...heads].sort((a, b) => compareStreams(a.stream, b.stream));
  const hash = createHash('sha256').update('contra-heads-v1');
  for (const head of ordered) hash.update(`\n${head.stream}\t${head.sequence}\t${head.hash}`);
  return hash.digest('hex');
}

/** The hash of a checkpoint: it covers the heads through `headsHash`. */
export function hashCheckpoint(unsealed: Omit<AuditCheckpoint, 'hash' | 'heads'>): string {
  return createHash('sha256')
    .update(JSON.stringify(['contra-checkpoint-v1', unsealed.tenantId, unsealed.sequence, unsealed.at,
      unsealed.headsHash, unsealed.streamCount, unsealed.recordCount, unsealed.previousHash]))
    .digest('hex');
}

export function sealCheckpoint(
  tenantId: TenantId,
  at: number,
  heads: readonly AuditStreamHead[],
  previous: AuditCheckpoint | null,
): AuditCheckpoint {
  const ordered = [...heads].sort((a, b) => compareStreams(a.stream, b.stream))
    .map((head) => ({ stream: head.stream, sequence: head.sequence, hash: head.hash }));
  const unsealed = {
    tenantId,
    sequence: (previous?.sequence ?? 0) + 1,
    at,
    headsHash: hashStreamHeads(ordered),
    streamCount: ordered.length,
    recordCount: ordered.reduce((sum, head) => sum + head.sequence, 0),
    previousHash: previous?.hash ?? genesisHash,
  };
  return { ...unsealed, heads: ordered, hash: hashCheckpoint(unsealed) };
}

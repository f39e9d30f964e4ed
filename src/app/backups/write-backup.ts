// The backup job (B1): per tenant, the audit records and the refund, chargeback, transfer,
// failed-transaction, reversal and tenant records that changed since the last run, as gzip
// NDJSON with a manifest, to a blob store.
// Incremental and exact without store cursors: a run reads audit records decided since the
// previous horizon less a settling window and takes, per stream, only the next sequence
// numbers in order — so a record still in flight in another process when the run reads
// (it cannot be older than the window) is taken by the next run, never skipped. Memory is
// constant in the number of records and linear in the number of audit streams (heads).
import { hashStreamHeads, type AuditRecord, type AuditStreamHead } from '../../domain/audit/audit-record.ts';
import type { TenantId } from '../../domain/ids.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import type { Dependencies } from '../dependencies.ts';
import type { BlobStore } from '../ports/blob-store.ts';
import { BackupRunningError, holdsBackupLease, releaseBackupLease, withBackupLease, type BackupLease } from './backup-lease.ts';
import {
  auditFileName, auditLine, backupFormat, backupStamp, headFromLine, headLine, headsFileName, manifestName, manifestSchema,
  recordLine, recordsFileName, type BackupManifest,
} from './backup-format.ts';
import { readNdjsonGz, writeNdjsonGz } from './ndjson-files.ts';
import { Readable } from 'node:stream';

/** How far back a run looks for records still committing when the previous run read. */
export const backupSettleMs = 60_000;
/** The versioned records a backup carries besides the audit trail. */
export const backupRecordKinds = ['tenant', 'refund', 'chargeback', 'transfer', 'failed_transaction', 'reversal'] as const;
const pageSize = 200;

export type BackupReport = {
  readonly tenantId: TenantId;
  readonly stamp: string;
  readonly location: string;
  readonly auditRecords: number;
  readonly records: number;
  readonly chainHead: BackupManifest['chain_head'];
};

type BackupDependencies = Pick<Dependencies, 'store' | 'clock' | 'ids' | 'vault'>;

export async function listManifests(blobs: BlobStore, tenantId: TenantId): Promise<string[]> {
  return (await blobs.list(`${tenantId}/`)).filter((key) => key.endsWith(`/${manifestName}`));
}

export async function readManifest(blobs: BlobStore, key: string): Promise<BackupManifest> {
  const body = await blobs.get(key);
  if (body === null) throw new Error(`backup manifest ${key} is missing`);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return manifestSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
}

async function previousHeads(blobs: BlobStore, tenantId: TenantId, stamp: string): Promise<Map<string, AuditStreamHead>> {
  const heads = new Map<string, AuditStreamHead>();
  for await (const line of readNdjsonGz(blobs, `${tenantId}/${stamp}/${headsFileName}`)) {
    const head = headFromLine(line);
    heads.set(head.stream, head);
  }
  return heads;
}

/** Out-of-order records held back per run, waiting for the sequence before them. */
const heldBackMax = 10_000;

/**
 * Audit records new since the heads, per stream in sequence order, decided by the horizon.
 * A store may list a stream's records out of sequence order (DynamoDB lists by decision
 * time), so a record that arrives before its predecessor waits until the predecessor
 * comes; a record past the horizon closes its stream for this run.
 */
async function* newAuditRecords(deps: BackupDependencies, tenantId: TenantId, heads: Map<string, AuditStreamHead>, fromAt: number | null, horizon: number): AsyncGenerator<AuditRecord> {
  const closed = new Set<string>();
  const waiting = new Map<string, Map<number, AuditRecord>>();
  let held = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.store.listAudit(tenantId, { ...(fromAt === null ? {} : { fromAt }) }, { limit: pageSize, ...(cursor === undefined ? {} : { cursor }) });
    for (const record of page.items) {
      const known = heads.get(record.stream)?.sequence ?? 0;
      if (record.sequence <= known || closed.has(record.stream)) continue;
      if (record.at > horizon) {
        // Later records of this stream wait for the next run, so each stream stays in order.
        closed.add(record.stream);
        continue;
      }
      if (record.sequence !== known + 1) {
        if (held >= heldBackMax) closed.add(record.stream);
        else {
          const queue = waiting.get(record.stream) ?? new Map<number, AuditRecord>();
          queue.set(record.sequence, record);
          waiting.set(record.stream, queue);
          held++;
        }
        continue;
      }
      let next: AuditRecord | undefined = record;
      while (next !== undefined) {
        heads.set(next.stream, { stream: next.stream, sequence: next.sequence, hash: next.hash });
        yield next;
        const queue = waiting.get(next.stream);
        const following: AuditRecord | undefined = queue?.get(next.sequence + 1);
        if (following !== undefined) {
          queue?.delete(following.sequence);
          held--;
        }
        next = following;
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

async function* changedRecords(deps: BackupDependencies, tenantId: TenantId, since: number | null, until: number): AsyncGenerator<string> {
  for (const kind of backupRecordKinds) {
    let cursor: string | undefined;
    do {
      const page = await deps.store.listRecords(tenantId, kind, { limit: pageSize, ...(cursor === undefined ? {} : { cursor }) });
      for (const record of page.items) {
        if ((since === null || record.updatedAt > since) && record.updatedAt <= until) yield recordLine(record);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }
}

async function* mapped<T>(source: AsyncIterable<T>, line: (item: T) => string): AsyncGenerator<string> {
  for await (const item of source) yield line(item);
}

export type BackupOptions = { readonly settleMs?: number; readonly leaseWaitMs?: number };

/**
 * Backs up one tenant, continuing its last backup. Runs of one tenant never overlap (see
 * backup-lease.ts): the lease is taken before the last manifest is read.
 */
export async function backupTenant(deps: BackupDependencies, blobs: BlobStore, tenantId: TenantId, options: BackupOptions = {}): Promise<BackupReport> {
  const backupId = deps.ids.next('bak');
  return withBackupLease(deps, tenantId, backupId, (lease) => backupUnderLease(deps, blobs, lease, backupId, options), options.leaseWaitMs);
}

async function backupUnderLease(deps: BackupDependencies, blobs: BlobStore, lease: BackupLease, backupId: string, options: BackupOptions): Promise<BackupReport> {
  const { tenantId } = lease;
  const manifests = await listManifests(blobs, tenantId);
  const lastKey = manifests.at(-1);
  const previous = lastKey === undefined ? null : await readManifest(blobs, lastKey);
  // Stamps sort in run order even if this process's clock is behind the previous run's.
  const startedAt = Math.max(deps.clock.now(), previous === null ? 0 : Date.parse(previous.created_at) + 1);
  const horizon = startedAt - (options.settleMs ?? backupSettleMs);
  const previousStamp = lastKey?.split('/')[1] ?? null;
  const heads = previous === null || previousStamp === null ? new Map<string, AuditStreamHead>() : await previousHeads(blobs, tenantId, previousStamp);
  const stamp = backupStamp(startedAt, backupId);
  const folder = `${tenantId}/${stamp}`;
  const fromAt = previous === null ? null : previous.audit_horizon_at - (options.settleMs ?? backupSettleMs);
  const audit = await writeNdjsonGz(blobs, `${folder}/${auditFileName}`, auditFileName, mapped(newAuditRecords(deps, tenantId, heads, fromAt, horizon), auditLine));
  const records = await writeNdjsonGz(blobs, `${folder}/${recordsFileName}`, recordsFileName, changedRecords(deps, tenantId, previous?.records_changed_until ?? null, horizon));
  const ordered = [...heads.values()].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
  const headsFile = await writeNdjsonGz(blobs, `${folder}/${headsFileName}`, headsFileName, mapped(Readable.from(ordered), headLine));
  const chainHead = { heads_hash: hashStreamHeads(ordered), stream_count: ordered.length, record_count: ordered.reduce((sum, head) => sum + head.sequence, 0) };
  const manifest: BackupManifest = {
    format: backupFormat, backup_id: backupId, tenant_id: tenantId, created_at: new Date(startedAt).toISOString(), previous: previousStamp,
    audit_horizon_at: horizon, records_changed_since: previous?.records_changed_until ?? null, records_changed_until: horizon,
    files: { audit, records, heads: headsFile }, chain_head: chainHead,
  };
  // A run that outlived its lease may have been overtaken; its manifest would fork the chain.
  if (!(await holdsBackupLease(deps, lease))) throw new BackupRunningError(`the backup of ${tenantId} lost its lease to another run; nothing was recorded`);
  await blobs.put(`${folder}/${manifestName}`, Readable.from([JSON.stringify(manifest, null, 2)]), 'application/json');
  const entry = await buildAuditEntry(deps, tenantId, deps.clock.now(), {
    stream: 'backup', action: 'backup.completed', initiator: 'system:backup', status: 'completed',
    reason: `${audit.count} audit records, ${records.count} records to ${blobs.location}`,
    details: { response: { backup_id: backupId, stamp, chain_head: chainHead } },
  });
  const committed = await deps.store.commit({ tenantId, at: deps.clock.now(), audit: [entry], records: [releaseBackupLease(lease)] });
  if (!committed.ok) throw new Error(`the backup of ${tenantId} could not be audited: ${committed.conflict.kind}`);
  return { tenantId, stamp, location: blobs.location, auditRecords: audit.count, records: records.count, chainHead };
}

/** Every tenant in turn; a tenant that another process is backing up is left to that run. */
export async function backupAllTenants(deps: BackupDependencies, blobs: BlobStore, options: BackupOptions = {}): Promise<BackupReport[]> {
  const reports: BackupReport[] = [];
  for (const tenantId of await deps.store.listTenantIds()) {
    try {
      reports.push(await backupTenant(deps, blobs, tenantId, options));
    } catch (error) {
      if (!(error instanceof BackupRunningError)) throw error;
    }
  }
  return reports;
}

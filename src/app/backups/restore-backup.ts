// Restore (B1): replays a tenant's backups, oldest first, into a store that does not hold
// the tenant yet. Every file is checked against its manifest before it is applied, every
// audit record is re-chained and must come out with the hash it was backed up with, and
// the restored stream heads must hash to the last manifest's chain head — so a restore
// that finishes is the trail that was backed up, bit for bit.
import { chainAuditRecord, hashStreamHeads, type AuditAppend, type AuditRecord, type AuditStreamHead } from '../../domain/audit/audit-record.ts';
import type { TenantId } from '../../domain/ids.ts';
import type { Dependencies } from '../dependencies.ts';
import type { BlobStore } from '../ports/blob-store.ts';
import { changesetAuditMax } from '../ports/store.ts';
import { auditFileName, auditFromLine, recordFromLine, recordsFileName, type BackupManifest } from './backup-format.ts';
import { checkFile, readNdjsonGz } from './ndjson-files.ts';
import { listManifests, readManifest } from './write-backup.ts';

export class RestoreError extends Error {
  override readonly name = 'RestoreError';
}

export type RestoreReport = {
  readonly tenantId: TenantId;
  readonly backups: number;
  readonly auditRecords: number;
  readonly records: number;
  readonly chainHead: BackupManifest['chain_head'];
};

export type RestoreProgress = (done: { readonly backups: number; readonly of: number; readonly auditRecords: number }) => void;

function appendOf(record: AuditRecord): AuditAppend {
  const { tenantId: _tenant, sequence: _sequence, previousHash: _previous, hash: _hash, ...append } = record;
  return append;
}

async function commitAudit(deps: Pick<Dependencies, 'store' | 'clock'>, tenantId: TenantId, batch: AuditAppend[]): Promise<void> {
  if (batch.length === 0) return;
  const committed = await deps.store.commit({ tenantId, at: deps.clock.now(), audit: batch.splice(0) });
  if (!committed.ok) throw new RestoreError(`restoring audit records of ${tenantId} failed: ${committed.conflict.kind}`);
}

async function restoreAudit(deps: Pick<Dependencies, 'store' | 'clock'>, blobs: BlobStore, folder: string, tenantId: TenantId, heads: Map<string, AuditStreamHead>): Promise<number> {
  let count = 0;
  const batch: AuditAppend[] = [];
  for await (const line of readNdjsonGz(blobs, `${folder}/${auditFileName}`)) {
    const backedUp = auditFromLine(tenantId, line);
    const rechained = chainAuditRecord(tenantId, appendOf(backedUp), heads.get(backedUp.stream) ?? null);
    if (rechained.sequence !== backedUp.sequence || rechained.hash !== backedUp.hash) {
      throw new RestoreError(`audit record ${backedUp.id} (stream ${backedUp.stream}, #${backedUp.sequence}) does not chain onto what was restored before it`);
    }
    heads.set(rechained.stream, { stream: rechained.stream, sequence: rechained.sequence, hash: rechained.hash });
    batch.push(appendOf(backedUp));
    count++;
    if (batch.length >= changesetAuditMax) await commitAudit(deps, tenantId, batch);
  }
  await commitAudit(deps, tenantId, batch);
  return count;
}

async function restoreRecords(deps: Pick<Dependencies, 'store'>, blobs: BlobStore, folder: string, tenantId: TenantId): Promise<number> {
  let count = 0;
  for await (const line of readNdjsonGz(blobs, `${folder}/${recordsFileName}`)) {
    const record = recordFromLine(line);
    const existing = await deps.store.getRecord(tenantId, record.kind, record.id);
    const committed = await deps.store.commit({
      tenantId, at: record.updatedAt,
      records: [{ kind: record.kind, id: record.id, body: record.body, expectedVersion: existing?.version ?? 0, ...(record.indexKey === null ? {} : { indexKey: record.indexKey }) }],
    });
    if (!committed.ok) throw new RestoreError(`restoring ${record.kind} ${record.id} failed: ${committed.conflict.kind}`);
    count++;
  }
  return count;
}

export async function restoreTenant(
  deps: Pick<Dependencies, 'store' | 'clock'>, blobs: BlobStore, tenantId: TenantId, progress: RestoreProgress = () => undefined,
): Promise<RestoreReport> {
  const keys = await listManifests(blobs, tenantId);
  if (keys.length === 0) throw new RestoreError(`no backup of ${tenantId} in ${blobs.location}`);
  if ((await deps.store.auditHeads(tenantId)).length > 0) throw new RestoreError(`the store already holds tenant ${tenantId}; restore into an empty store`);
  const heads = new Map<string, AuditStreamHead>();
  let previousStamp: string | null = null;
  let manifest: BackupManifest | null = null;
  let auditRecords = 0;
  let records = 0;
  for (const [index, key] of keys.entries()) {
    manifest = await readManifest(blobs, key);
    const folder = key.slice(0, key.lastIndexOf('/'));
    const stamp = folder.split('/')[1] ?? '';
    if (manifest.previous !== previousStamp) throw new RestoreError(`backup ${stamp} continues ${manifest.previous ?? 'nothing'}, not ${previousStamp ?? 'nothing'}: the chain of backups is broken`);
    for (const file of [manifest.files.audit, manifest.files.records, manifest.files.heads]) await checkFile(blobs, `${folder}/${file.name}`, file);
    auditRecords += await restoreAudit(deps, blobs, folder, tenantId, heads);
    records += await restoreRecords(deps, blobs, folder, tenantId);
    previousStamp = stamp;
    progress({ backups: index + 1, of: keys.length, auditRecords });
  }
  if (manifest === null) throw new RestoreError('no manifest was read');
  const restored = hashStreamHeads(await deps.store.auditHeads(tenantId));
  if (restored !== manifest.chain_head.heads_hash) {
    throw new RestoreError(`the restored audit heads hash to ${restored}, the backup says ${manifest.chain_head.heads_hash}`);
  }
  return { tenantId, backups: keys.length, auditRecords, records, chainHead: manifest.chain_head };
}


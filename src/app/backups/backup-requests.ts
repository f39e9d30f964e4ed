// Backups over the API (B1): a tenant's admin or auditor takes a backup of the tenant now,
// and lists the backups taken, with the chain head each one vouches for.
import type { TenantId } from '../../domain/ids.ts';
import { ok, refuse, type Result } from '../../domain/result.ts';
import type { Principal } from '../access/principal.ts';
import type { Dependencies } from '../dependencies.ts';
import type { BlobStore } from '../ports/blob-store.ts';
import type { JsonObject } from '../ports/store.ts';
import type { Reply } from '../shared/reply.ts';
import type { BackupManifest } from './backup-format.ts';
import { BackupRunningError } from './backup-lease.ts';
import { backupTenant, listManifests, readManifest, type BackupReport } from './write-backup.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

/** The most backups one listing reads; older ones stay in the blob store. */
export const backupsListedMax = 100;

function reportView(report: BackupReport): JsonObject {
  return { stamp: report.stamp, location: report.location, audit_records: report.auditRecords, records: report.records, chain_head: report.chainHead };
}

function manifestView(stamp: string, manifest: BackupManifest): JsonObject {
  return {
    stamp, backup_id: manifest.backup_id, created_at: manifest.created_at, previous: manifest.previous,
    audit_records: manifest.files.audit.count, records: manifest.files.records.count, chain_head: manifest.chain_head,
  };
}

export async function takeBackup(deps: Dependencies, blobs: BlobStore, principal: TenantPrincipal, settleMs: number): Promise<Result<Reply, 'conflict'>> {
  let report: BackupReport;
  try {
    report = await backupTenant(deps, blobs, principal.tenantId, { settleMs });
  } catch (error) {
    // Another process's backup of the tenant outlasted the wait: this one would fork the chain.
    if (error instanceof BackupRunningError) return refuse('conflict', undefined, error.message);
    throw error;
  }
  return ok({ statusCode: 201, body: { message: 'Backup written.', status: 'completed', backup: reportView(report) } });
}

export async function listBackups(blobs: BlobStore, tenantId: TenantId): Promise<Result<Reply, never>> {
  const keys = (await listManifests(blobs, tenantId)).slice(-backupsListedMax).reverse();
  const data: JsonObject[] = [];
  for (const key of keys) data.push(manifestView(key.split('/')[1] ?? '', await readManifest(blobs, key)));
  return ok({ statusCode: 200, body: { message: 'Backups found.', status: 'ok', location: blobs.location, data, next_cursor: null } });
}

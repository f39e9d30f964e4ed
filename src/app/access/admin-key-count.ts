// How many active (not revoked) admin keys a tenant has (T2), kept in one record per
// tenant so that key management can refuse to revoke the last of them: without an admin
// key nobody can create or revoke the tenant's keys again. Every creation and revocation
// of an admin key writes this record at the version it read, in the same changeset as
// the key, so two admins revoking each other's keys at once conflict and the second one
// decides again on the lower count. Authentication never reads it.
import type { TenantId } from '../../domain/ids.ts';
import type { RecordWrite, Store } from '../ports/store.ts';
import { apiKeyKind } from './api-keys.ts';

export const adminKeyCountKind = 'admin_key_count';
const pageSize = 200;

/** The count and the version of the record it was read from (0: no record yet). */
export type AdminKeyCount = { readonly tenantId: TenantId; readonly activeAdminKeys: number; readonly version: number };

export function isActiveAdminKey(body: { readonly [field: string]: unknown }): boolean {
  return body['role'] === 'admin' && body['revoked_at'] === null;
}

/**
 * The tenant's count. A tenant created before the count was kept (or whose record lost
 * it) has it counted from its key records, each read again by id because a list may be a
 * little stale on DynamoDB; the next admin key change writes the count under the version
 * read here, so a concurrent first change conflicts rather than counting twice.
 */
export async function readAdminKeyCount(store: Pick<Store, 'getRecord' | 'listRecords'>, tenantId: TenantId): Promise<AdminKeyCount> {
  const record = await store.getRecord(tenantId, adminKeyCountKind, tenantId);
  const stored = record?.body['active_admin_keys'];
  if (typeof stored === 'number') return { tenantId, activeAdminKeys: stored, version: record?.version ?? 0 };
  let activeAdminKeys = 0;
  let cursor: string | undefined;
  do {
    const page = await store.listRecords(tenantId, apiKeyKind, { limit: pageSize, ...(cursor === undefined ? {} : { cursor }) });
    for (const listed of page.items) {
      const current = await store.getRecord(tenantId, apiKeyKind, listed.id);
      if (current !== null && isActiveAdminKey(current.body)) activeAdminKeys++;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return { tenantId, activeAdminKeys, version: record?.version ?? 0 };
}

/** The count changed by `change` (+1 for a created admin key, -1 for a revoked one), at the version read. */
export function adminKeyCountWrite(count: AdminKeyCount, change: 1 | -1): RecordWrite {
  return {
    kind: adminKeyCountKind,
    id: count.tenantId,
    expectedVersion: count.version,
    body: { active_admin_keys: count.activeAdminKeys + change },
  };
}

/** A new tenant's count: its first admin key. */
export function firstAdminKeyCountWrite(tenantId: TenantId): RecordWrite {
  return adminKeyCountWrite({ tenantId, activeAdminKeys: 0, version: 0 }, 1);
}

// The platform operator's bootstrap token, which can only create tenants. Given by
// CONTRA_ADMIN_TOKEN, or generated at first start, printed once and stored hashed.
import { createHash, randomBytes } from 'node:crypto';
import { platformTenantId } from '../../domain/ids.ts';
import type { Dependencies } from '../dependencies.ts';

export const bootstrapKind = 'bootstrap_token';
export const bootstrapRecordId = 'admin';

/** Returns the new token when one was generated (to print once), else null. */
export async function ensureBootstrapToken(deps: Pick<Dependencies, 'store' | 'clock'>): Promise<string | null> {
  const existing = await deps.store.getRecord(platformTenantId, bootstrapKind, bootstrapRecordId);
  if (existing !== null) return null;
  const token = `ctr-admin.${randomBytes(32).toString('base64url')}`;
  const at = deps.clock.now();
  const committed = await deps.store.commit({
    tenantId: platformTenantId,
    at,
    records: [{
      kind: bootstrapKind,
      id: bootstrapRecordId,
      expectedVersion: 0,
      body: { token_hash: createHash('sha256').update(token).digest('hex'), created_at: at },
    }],
  });
  // Another process generated it first: its token is the one printed.
  return committed.ok ? token : null;
}

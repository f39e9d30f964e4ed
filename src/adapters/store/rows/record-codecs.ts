// Rows of the versioned records table turned into StoredRecord values.
import type { TenantId } from '../../../domain/ids.ts';
import type { StoredRecord } from '../../../app/ports/store.ts';
import type { Row } from './row.ts';
import { jsonObjectOf, numberOf, optionalTextOf, textOf } from './row-values.ts';

export const recordColumns = 'seq, tenant_id, kind, id, version, body, index_key, created_at, updated_at';

export function recordFromRow(row: Row): StoredRecord {
  return {
    tenantId: textOf(row, 'tenant_id') as TenantId,
    kind: textOf(row, 'kind'),
    id: textOf(row, 'id'),
    version: numberOf(row, 'version'),
    body: jsonObjectOf(row, 'body'),
    indexKey: optionalTextOf(row, 'index_key'),
    createdAt: numberOf(row, 'created_at'),
    updatedAt: numberOf(row, 'updated_at'),
  };
}

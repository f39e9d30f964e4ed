// One page of a list endpoint over records of one kind: read the store's pages (under an
// index key when the filter has one) and keep the records the filter admits, until the
// page is full, the records run out, or a bounded number has been read — so a filter that
// matches little never reads a tenant's whole history in one request. The next cursor
// continues after the last record read, matched or not.
import type { JsonObject, StoredRecord, Store } from '../ports/store.ts';
import type { TenantId } from '../../domain/ids.ts';

/** The most records one list request reads, whatever its filter. */
export const listScanPerPageMax = 1000;

export type FilteredPageRequest = {
  readonly kind: string;
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly indexKey?: string | undefined;
};

/** `view` returns the record's view when the filter admits it, or null to skip it. */
export async function filteredPage(
  store: Store,
  tenantId: TenantId,
  request: FilteredPageRequest,
  view: (record: StoredRecord) => JsonObject | null,
): Promise<{ readonly data: JsonObject[]; readonly nextCursor: string | null }> {
  const data: JsonObject[] = [];
  let cursor = request.cursor;
  let scanned = 0;
  let nextCursor: string | null = null;
  do {
    const page = await store.listRecords(tenantId, request.kind, {
      limit: request.limit - data.length, ...(cursor === undefined ? {} : { cursor }), ...(request.indexKey === undefined ? {} : { indexKey: request.indexKey }),
    });
    scanned += page.items.length;
    for (const record of page.items) {
      const shown = view(record);
      if (shown !== null) data.push(shown);
    }
    nextCursor = page.nextCursor;
    cursor = nextCursor ?? undefined;
  } while (data.length < request.limit && cursor !== undefined && scanned < listScanPerPageMax);
  return { data, nextCursor };
}

// Walks the records of one kind under an index key (pending payments, pending refunds),
// tenant by tenant and page by page, until `visit` has examined `limit` of them. The
// background jobs use it so that one run does a bounded amount of work.
import type { StoredRecord, Store } from '../ports/store.ts';
import type { TenantId } from '../../domain/ids.ts';

const pageSize = 50;

/** `visit` answers whether it examined the record (false: skipped, not counted). */
export async function visitIndexed(
  store: Store,
  target: { readonly kind: string; readonly indexKey: string; readonly limit: number },
  visit: (record: StoredRecord) => Promise<boolean>,
): Promise<void> {
  let examined = 0;
  for (const tenantId of await store.listTenantIds()) {
    let cursor: string | undefined;
    do {
      const page = await store.listRecords(tenantId, target.kind, { indexKey: target.indexKey, limit: pageSize, ...(cursor === undefined ? {} : { cursor }) });
      for (const record of page.items) {
        if (examined >= target.limit) return;
        if (await visit(record)) examined++;
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }
}

/** Every record of one kind under an index key of one tenant, page by page, in the store's order. */
export async function* recordsUnder(store: Pick<Store, 'listRecords'>, tenantId: TenantId, kind: string, indexKey: string, pageSizeMax = 200): AsyncGenerator<StoredRecord> {
  let cursor: string | undefined;
  do {
    const page = await store.listRecords(tenantId, kind, { indexKey, limit: pageSizeMax, ...(cursor === undefined ? {} : { cursor }) });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

// Walks the records of one kind under an index key (pending payments, pending refunds,
// open disputes) so that one run of a background job does a bounded amount of work.
// `visitIndexed` goes tenant by tenant in the store's order, for jobs whose items leave
// the list (or are skipped) once handled. `visitLongestWaiting` serves the requery jobs,
// whose items stay on the list between tries: it takes the items that have waited longest,
// across all tenants, so the first hundred in the store's order cannot take every run.
import { pageSizeMax, type StoredRecord, type Store } from '../ports/store.ts';
import type { TenantId } from '../../domain/ids.ts';
import { countItemError, type ItemErrors } from './item-errors.ts';

const pageSize = 50;
/**
 * Records one `visitLongestWaiting` run reads at most while looking for the longest-waiting
 * ones; the tenants and records after it (in the store's order) wait for a run with fewer
 * ahead of them. A list this long means an outage a person is already looking at.
 */
export const scanRecordsMax = 10_000;

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

/** A record that is due: since when (ms since the epoch), and what `due` read from it for `visit`. */
export type Due<T> = { readonly dueAt: number; readonly item: T };

type Candidate<T> = Due<T> & { readonly record: StoredRecord };

/**
 * Visits up to `limit` due records of one kind under an index key, the longest-waiting
 * first, across all tenants. `due` answers, for each record read, since when it has been
 * due, or null to skip it (not due yet, escalated, another tenant's: the job counts what it
 * must there, once per run). Ties go by tenant id, then record id, so two runs over the same
 * records visit them in the same order. Only the `limit` earliest are kept while reading, so
 * a long list costs reads, not memory. Each record on its own: one that `due` cannot read,
 * or whose visit throws, is counted in `errors` and left for the next run, and the job goes
 * on with the records after it.
 */
export async function visitLongestWaiting<T>(
  store: Store,
  target: { readonly kind: string; readonly indexKey: string; readonly limit: number },
  errors: ItemErrors,
  due: (record: StoredRecord) => Due<T> | null,
  visit: (item: T) => Promise<void>,
): Promise<void> {
  let kept: Candidate<T>[] = [];
  let read = 0;
  scan: for (const tenantId of await store.listTenantIds()) {
    for await (const record of recordsUnder(store, tenantId, target.kind, target.indexKey, pageSizeMax)) {
      if (read >= scanRecordsMax) break scan;
      read++;
      let found: Due<T> | null;
      try {
        found = due(record);
      } catch (error) {
        countItemError(errors, record.tenantId, record.id, error);
        continue;
      }
      if (found === null) continue;
      kept.push({ ...found, record });
      // Sorting now and then keeps the memory to twice the batch, whatever the list's length.
      if (kept.length >= 2 * target.limit) kept = earliest(kept, target.limit);
    }
  }
  // Each visit settles (or counts an error for) its record with a versioned commit that reads
  // it again, so a record someone changed since it was read here is caught there.
  for (const { item, record } of earliest(kept, target.limit)) {
    try {
      await visit(item);
    } catch (error) {
      countItemError(errors, record.tenantId, record.id, error);
    }
  }
}

function earliest<T>(candidates: Candidate<T>[], limit: number): Candidate<T>[] {
  return candidates.sort(waitedLonger).slice(0, limit);
}

function waitedLonger(left: Candidate<unknown>, right: Candidate<unknown>): number {
  if (left.dueAt !== right.dueAt) return left.dueAt - right.dueAt;
  if (left.record.tenantId !== right.record.tenantId) return left.record.tenantId < right.record.tenantId ? -1 : 1;
  if (left.record.id !== right.record.id) return left.record.id < right.record.id ? -1 : 1;
  return 0;
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

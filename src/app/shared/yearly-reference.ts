// Human references numbered per tenant and year (`TXR-2026-000123`, `DSP-2026-000042`): a
// versioned counter record per year, claimed in the same changeset as the record that
// takes the number, so two writers never get the same one. The year is the Lagos year,
// so the count restarts at midnight West Africa Time on 1 January.
import type { TenantId } from '../../domain/ids.ts';
import { lagosDateOf, yearOf } from '../../domain/timelines/lagos-dates.ts';
import type { RecordWrite, Store } from '../ports/store.ts';
import { KeyedLock } from './keyed-lock.ts';

export type ClaimedReference = { readonly id: string; readonly write: RecordWrite };

export async function claimYearlyReference(
  store: Pick<Store, 'getRecord'>, tenantId: TenantId, counterKind: string, at: number, format: (year: number, sequence: number) => string,
): Promise<ClaimedReference> {
  const year = yearOf(lagosDateOf(at));
  const record = await store.getRecord(tenantId, counterKind, String(year));
  const next = typeof record?.body['next'] === 'number' ? record.body['next'] : 1;
  return {
    id: format(year, next),
    write: { kind: counterKind, id: String(year), body: { next: next + 1 }, expectedVersion: record?.version ?? 0 },
  };
}

/**
 * Decisions that may claim a tenant's yearly references queue per tenant in this process.
 * Each reference comes from one counter record per tenant and year, written in the same
 * commit as what it names, so concurrent claims conflict: a burst of 30 transfer failures
 * at once on PostgreSQL left 18 of them, after eight attempts each, answered 409 with the
 * sender's money still held. In one process they now take turns; across processes the
 * counter's version still decides, as before. Taken after a transfer's lock, never before
 * it, and never inside claimYearlyReference (the lock is not re-entrant).
 */
export const yearlyReferenceLocks = new KeyedLock();

export function yearlyReferenceLockKey(tenantId: TenantId): string {
  return `${tenantId}/yearly-references`;
}

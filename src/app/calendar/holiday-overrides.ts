// The admin-editable holiday overrides (D1): dates the government declares or moves,
// kept per tenant as versioned records and applied over the computed public holidays.
// An override is withdrawn, never deleted, and every change is audited.
import type { TenantId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import { holidayCalendar, type Holiday, type HolidayCalendar, type HolidayOverride } from '../../domain/timelines/holiday-calendar.ts';
import type { Dependencies } from '../dependencies.ts';
import type { RecordWrite, StoredRecord } from '../ports/store.ts';

export const holidayOverrideKind = 'holiday_override';
export const activeOverridesIndexKey = 'holiday_override:active';
/** More overrides than this in one tenant would be a data-entry accident. */
export const holidayOverridesMax = 1_000;

export type StoredOverride = HolidayOverride & {
  readonly version: number;
  readonly withdrawn: boolean;
  readonly setBy: string;
  readonly updatedAt: number;
};

export function overrideFromRecord(record: StoredRecord): StoredOverride {
  invariant(record.kind === holidayOverrideKind, `record ${record.kind} is not a holiday override`);
  const { action, name, withdrawn, set_by: setBy } = record.body;
  invariant(action === 'add' || action === 'remove', 'holiday_override.action');
  invariant(typeof name === 'string' && typeof withdrawn === 'boolean' && typeof setBy === 'string', 'holiday_override fields');
  return { date: record.id, action, name, withdrawn, setBy, version: record.version, updatedAt: record.updatedAt };
}

export function overrideWrite(override: Omit<StoredOverride, 'version' | 'updatedAt'>, expectedVersion: number): RecordWrite {
  return {
    kind: holidayOverrideKind, id: override.date, expectedVersion,
    ...(override.withdrawn ? {} : { indexKey: activeOverridesIndexKey }),
    body: { action: override.action, name: override.name, withdrawn: override.withdrawn, set_by: override.setBy },
  };
}

/** Every override in force for the tenant, oldest page first. */
export async function activeOverrides(deps: Pick<Dependencies, 'store'>, tenantId: TenantId): Promise<StoredOverride[]> {
  const overrides: StoredOverride[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listRecords(tenantId, holidayOverrideKind, { indexKey: activeOverridesIndexKey, limit: 200, ...(cursor === undefined ? {} : { cursor }) });
    overrides.push(...page.items.map(overrideFromRecord));
    invariant(overrides.length <= holidayOverridesMax, `tenant ${tenantId} has more than ${holidayOverridesMax} holiday overrides`);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return overrides;
}

/**
 * The tenant's working-day calendar for the years `fromYear`..`toYear`: computed public
 * holidays corrected by its overrides. A working-day count never runs beyond a year past
 * the day it starts, so callers load the opening year and the next.
 */
export async function tenantCalendar(
  deps: Pick<Dependencies, 'store' | 'publicHolidays'>, tenantId: TenantId, years: { readonly fromYear: number; readonly toYear: number },
): Promise<HolidayCalendar> {
  const loaded = new Map<number, readonly Holiday[]>();
  for (let year = years.fromYear; year <= years.toYear; year++) loaded.set(year, await deps.publicHolidays.forYear(year));
  const overrides = await activeOverrides(deps, tenantId);
  return holidayCalendar((year) => {
    const holidays = loaded.get(year);
    invariant(holidays !== undefined, `the calendar of ${tenantId} was loaded for ${years.fromYear}..${years.toYear}, not ${year}`);
    return holidays;
  }, overrides);
}

// The CBN reversal report (D2): per period, how many transfers failed, how many were
// reversed automatically and manually, and how many within and beyond their timeline,
// with the penalty exposure of the late ones. Pure: the app gives it every failed
// transaction of the period with its reversal and deadline. Money figures are naira: an
// amount in another currency is counted but never added into them (its minor units are
// not kobo); the reversed amounts per currency are given beside.
import type { CurrencyCode } from '../money/currencies.ts';
import { penaltyExposureMinor, type PenaltyPolicy } from '../timelines/penalty-exposure.ts';
import { lagosUtcOffsetMs } from '../timelines/lagos-dates.ts';

/** The currency of the report's money figures. */
export const reportCurrency: CurrencyCode = 'NGN';

export type ReportItem = {
  readonly failedAt: number;
  readonly dueAt: number;
  /** A late success is not a failure: the money reached the beneficiary. */
  readonly resolvedAsSuccess: boolean;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly reversal: { readonly mode: 'automatic' | 'manual'; readonly completedAt: number } | null;
};

export type ReportFigures = {
  readonly totalFailures: number;
  readonly resolvedAsSuccess: number;
  readonly automaticReversals: number;
  readonly manualReversals: number;
  readonly reversedWithinTimeline: number;
  readonly reversedBeyondTimeline: number;
  readonly pendingWithinTimeline: number;
  readonly pendingBeyondTimeline: number;
  /** Naira reversed (reportCurrency); other currencies only in reversedByCurrency. */
  readonly reversedAmountMinor: bigint;
  /** Minor units reversed per currency, naira included; a currency appears once something in it was reversed. */
  readonly reversedByCurrency: ReadonlyMap<CurrencyCode, bigint>;
  /** The policy's fixed charge per late item, in the policy's currency (naira by default), whatever the item's currency. */
  readonly penaltyExposureMinor: bigint;
  /** Reversed within the timeline, over every failure whose timeline has run out or that was reversed; 1 when none. */
  readonly complianceRate: number;
};

export function cbnReportFigures(items: readonly ReportItem[], policy: PenaltyPolicy, now: number): ReportFigures {
  let totalFailures = 0;
  let resolvedAsSuccess = 0;
  let automaticReversals = 0;
  let manualReversals = 0;
  let reversedWithinTimeline = 0;
  let reversedBeyondTimeline = 0;
  let pendingWithinTimeline = 0;
  let pendingBeyondTimeline = 0;
  const reversedByCurrency = new Map<CurrencyCode, bigint>();
  let exposure = 0n;
  for (const item of items) {
    if (item.resolvedAsSuccess) {
      resolvedAsSuccess++;
      continue;
    }
    totalFailures++;
    const reversedAt = item.reversal?.completedAt ?? null;
    exposure += penaltyExposureMinor(policy, { channel: 'nip', failedAt: item.failedAt, reversedAt }, now);
    if (item.reversal === null) {
      if (now > item.dueAt) pendingBeyondTimeline++;
      else pendingWithinTimeline++;
      continue;
    }
    if (item.reversal.mode === 'automatic') automaticReversals++;
    else manualReversals++;
    reversedByCurrency.set(item.currency, (reversedByCurrency.get(item.currency) ?? 0n) + item.amountMinor);
    if (item.reversal.completedAt <= item.dueAt) reversedWithinTimeline++;
    else reversedBeyondTimeline++;
  }
  const judged = reversedWithinTimeline + reversedBeyondTimeline + pendingBeyondTimeline;
  return {
    totalFailures, resolvedAsSuccess, automaticReversals, manualReversals, reversedWithinTimeline, reversedBeyondTimeline,
    pendingWithinTimeline, pendingBeyondTimeline, reversedAmountMinor: reversedByCurrency.get(reportCurrency) ?? 0n, reversedByCurrency, penaltyExposureMinor: exposure,
    complianceRate: judged === 0 ? 1 : reversedWithinTimeline / judged,
  };
}

/** `YYYY-MM` → the Lagos month as [start, end) in epoch milliseconds. */
export function lagosMonth(period: string): { readonly fromAt: number; readonly toAt: number } | null {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (match === null) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  return { fromAt: Date.UTC(year, month - 1, 1) - lagosUtcOffsetMs, toAt: Date.UTC(year, month, 1) - lagosUtcOffsetMs };
}

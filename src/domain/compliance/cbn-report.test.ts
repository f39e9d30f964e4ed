// CBN report figures (D2) and the Lagos month boundaries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cbnReportFigures, lagosMonth, type ReportItem } from './cbn-report.ts';
import { defaultPenaltyPolicy } from '../timelines/penalty-exposure.ts';

const hourMs = 60 * 60 * 1000;
const item = (overrides: Partial<ReportItem>): ReportItem => ({ failedAt: 0, dueAt: 24 * hourMs, resolvedAsSuccess: false, amountMinor: 100n, currency: 'NGN', reversal: null, ...overrides });

describe('CBN report figures', () => {
  it('leaves late successes out of the failures and counts every reversal once', () => {
    const figures = cbnReportFigures([
      item({ resolvedAsSuccess: true }),
      item({ reversal: { mode: 'automatic', completedAt: hourMs } }),
      item({ reversal: { mode: 'manual', completedAt: 25 * hourMs }, amountMinor: 50n }),
      item({}),
    ], defaultPenaltyPolicy, 10 * hourMs);
    assert.deepEqual([figures.totalFailures, figures.resolvedAsSuccess, figures.automaticReversals, figures.manualReversals], [3, 1, 1, 1]);
    assert.deepEqual([figures.reversedWithinTimeline, figures.reversedBeyondTimeline, figures.pendingWithinTimeline, figures.pendingBeyondTimeline], [1, 1, 1, 0]);
    assert.equal(figures.reversedAmountMinor, 150n);
    assert.equal(figures.penaltyExposureMinor, 10_000_00n, 'only the item reversed after 24 hours');
    assert.equal(figures.complianceRate, 0.5);
  });
  it('adds only naira into the reversed amount, and each currency into its own', () => {
    const reversal = { mode: 'automatic', completedAt: hourMs } as const;
    const figures = cbnReportFigures([
      item({ reversal, amountMinor: 100_00n }),
      item({ reversal, amountMinor: 100_00n, currency: 'USD' }),
      item({ reversal, amountMinor: 5000n, currency: 'JPY' }),
      item({ reversal, amountMinor: 50n }),
    ], defaultPenaltyPolicy, 10 * hourMs);
    assert.equal(figures.reversedAmountMinor, 100_50n);
    assert.deepEqual([...figures.reversedByCurrency].sort(), [['JPY', 5000n], ['NGN', 100_50n], ['USD', 100_00n]]);
    assert.deepEqual([figures.totalFailures, figures.automaticReversals, figures.reversedWithinTimeline], [4, 4, 4], 'every currency is counted');
  });
  it('is fully compliant when nothing has been judged yet', () => {
    assert.equal(cbnReportFigures([], defaultPenaltyPolicy, 0).complianceRate, 1);
  });
  it('bounds a month at midnight West Africa Time', () => {
    assert.deepEqual(lagosMonth('2026-11'), { fromAt: Date.parse('2026-10-31T23:00:00Z'), toAt: Date.parse('2026-11-30T23:00:00Z') });
    assert.equal(lagosMonth('2026-13'), null);
  });
});

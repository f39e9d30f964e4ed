// Specification of failure patterns (V7): rates by bank, channel and hour; a group failing
// at least twice as often as the whole (with enough failures) is a spike; advice follows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeFailurePatterns, lagosHourOf, recommendationsFor, type TransferObservation } from './failure-patterns.ts';

const at = Date.UTC(2026, 10, 30, 13, 5);
const ok = (bankCode: string, channel = 'mobile'): TransferObservation => ({ bankCode, channel, at, failureType: null });
const glitch = (bankCode: string, channel = 'mobile'): TransferObservation => ({ bankCode, channel, at, failureType: 'system_glitch' });

describe('failure patterns', () => {
  it('counts Lagos hours as UTC+1', () => {
    assert.equal(lagosHourOf(at), '14');
  });

  it('flags the bank that fails far more often than the whole and advises on it', () => {
    const observations = [...Array.from({ length: 16 }, () => ok('058')), ok('999'), glitch('999'), glitch('999'), glitch('999'), glitch('999')];
    const patterns = computeFailurePatterns(observations);
    assert.deepEqual([patterns.transfers, patterns.failures, patterns.failureRate], [21, 4, 0.1905]);
    assert.deepEqual(patterns.byBank.map((row) => [row.key, row.transfers, row.failures, row.failureRate]), [['999', 5, 4, 0.8], ['058', 16, 0, 0]]);
    assert.deepEqual(patterns.spikes.map((spike) => [spike.dimension, spike.key]), [['bank', '999']]);
    assert.deepEqual(patterns.byFailureType, [{ failureType: 'system_glitch', failures: 4, share: 1 }]);
    const advice = recommendationsFor(patterns);
    assert.match(advice[0] ?? '', /^Bank 999 fails 80% of transfers against 19\.1% overall/);
    assert.match(advice[1] ?? '', /^system_glitch makes up 100% of failures/);
  });

  it('flags nothing below the minimum number of failures, and says so', () => {
    const patterns = computeFailurePatterns([ok('058'), ok('058'), glitch('999')]);
    assert.deepEqual(patterns.spikes, []);
    assert.deepEqual(recommendationsFor(computeFailurePatterns([ok('058')])), ['No failed transfers in this period.']);
  });
});

// Failure patterns (V7), pure: counts and rates of failed transfers by failure type, bank,
// channel and hour of day (Lagos time), spikes flagged where a group fails far more often
// than the whole, and plain-language recommendations from fixed rules.
import type { FailureType } from '../interbank/failure-type.ts';

export type TransferObservation = {
  readonly bankCode: string | null;
  readonly channel: string;
  readonly at: number;
  /** Null when the transfer did not fail. */
  readonly failureType: FailureType | null;
};

export type RateRow = { readonly key: string; readonly transfers: number; readonly failures: number; readonly failureRate: number };
export type TypeRow = { readonly failureType: FailureType; readonly failures: number; readonly share: number };
export type Spike = { readonly dimension: 'bank' | 'channel' | 'hour'; readonly key: string; readonly failureRate: number; readonly overallRate: number; readonly failures: number };

export type FailurePatterns = {
  readonly transfers: number;
  readonly failures: number;
  readonly failureRate: number;
  readonly byFailureType: readonly TypeRow[];
  readonly byBank: readonly RateRow[];
  readonly byChannel: readonly RateRow[];
  readonly byHour: readonly RateRow[];
  readonly spikes: readonly Spike[];
};

export type SpikeRule = { readonly factor: number; readonly failuresMin: number };
export const spikeRuleDefault: SpikeRule = { factor: 2, failuresMin: 3 };

/** Lagos keeps West Africa Time, UTC+1, with no daylight saving. */
const lagosOffsetMs = 60 * 60_000;

export function lagosHourOf(at: number): string {
  return String(new Date(at + lagosOffsetMs).getUTCHours()).padStart(2, '0');
}

const ratio = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000);

function rates(observations: readonly TransferObservation[], keyOf: (observation: TransferObservation) => string): RateRow[] {
  const groups = new Map<string, { transfers: number; failures: number }>();
  for (const observation of observations) {
    const key = keyOf(observation);
    const group = groups.get(key) ?? { transfers: 0, failures: 0 };
    group.transfers++;
    if (observation.failureType !== null) group.failures++;
    groups.set(key, group);
  }
  return [...groups.entries()]
    .map(([key, group]) => ({ key, ...group, failureRate: ratio(group.failures, group.transfers) }))
    .sort((a, b) => b.failures - a.failures || a.key.localeCompare(b.key));
}

export function computeFailurePatterns(observations: readonly TransferObservation[], rule: SpikeRule = spikeRuleDefault): FailurePatterns {
  const failed = observations.filter((observation) => observation.failureType !== null);
  const failureRate = ratio(failed.length, observations.length);
  const typeCounts = new Map<FailureType, number>();
  for (const observation of failed) if (observation.failureType !== null) typeCounts.set(observation.failureType, (typeCounts.get(observation.failureType) ?? 0) + 1);
  const byBank = rates(observations.filter((observation) => observation.bankCode !== null), (observation) => observation.bankCode ?? '');
  const byChannel = rates(observations, (observation) => observation.channel);
  const byHour = rates(observations, (observation) => lagosHourOf(observation.at));
  const spikes: Spike[] = [];
  for (const [dimension, rows] of [['bank', byBank], ['channel', byChannel], ['hour', byHour]] as const) {
    for (const row of rows) {
      if (row.failures >= rule.failuresMin && row.failureRate >= failureRate * rule.factor && row.transfers < observations.length) {
        spikes.push({ dimension, key: row.key, failureRate: row.failureRate, overallRate: failureRate, failures: row.failures });
      }
    }
  }
  return {
    transfers: observations.length, failures: failed.length, failureRate,
    byFailureType: [...typeCounts.entries()].map(([failureType, failures]) => ({ failureType, failures, share: ratio(failures, failed.length) }))
      .sort((a, b) => b.failures - a.failures || a.failureType.localeCompare(b.failureType)),
    byBank, byChannel, byHour, spikes,
  };
}

const percent = (rate: number): string => `${Math.round(rate * 1000) / 10}%`;

/** Dominant failure types (a share of all failures at least this) get their own advice. */
export const dominantShareMin = 0.3;

const adviceByType: Partial<Record<FailureType, string>> = {
  timeout: 'check the link to the switch and the processor timeout; timeouts are status-queried, so they cost time, not money',
  system_glitch: 'watch the affected banks and consider routing around them while they recover',
  routing_error: 'check the bank code directory used to route transfers',
  account_error: 'confirm beneficiary accounts by name enquiry before sending',
  insufficient_funds: 'check the sender\'s available balance before sending',
};

/** Plain-language recommendations from fixed rules; an analyst may add its own. */
export function recommendationsFor(patterns: FailurePatterns): string[] {
  const advice: string[] = [];
  for (const spike of patterns.spikes) {
    const where = spike.dimension === 'bank' ? `Bank ${spike.key}` : spike.dimension === 'channel' ? `The ${spike.key} channel` : `The hour from ${spike.key}:00 Lagos time`;
    advice.push(`${where} fails ${percent(spike.failureRate)} of transfers against ${percent(spike.overallRate)} overall (${spike.failures} failures): look into it first.`);
  }
  for (const row of patterns.byFailureType) {
    const hint = adviceByType[row.failureType];
    if (row.share >= dominantShareMin && hint !== undefined) advice.push(`${row.failureType} makes up ${percent(row.share)} of failures: ${hint}.`);
  }
  if (advice.length === 0) advice.push(patterns.failures === 0 ? 'No failed transfers in this period.' : 'No unusual failure pattern in this period.');
  return advice;
}

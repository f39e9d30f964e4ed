// Throughput and latency figures of one benchmark scenario: rates from a count and an
// elapsed time, and latency percentiles by nearest rank over every sample.
import { invariant } from '../src/domain/invariant.ts';

export type LatencySummary = { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };

export type ScenarioResult = {
  readonly name: string;
  readonly concurrency: number;
  /** Payments, or rows for the raw SQLite scenarios. */
  readonly operations: number;
  /** Durable commits each operation needs: 2 per payment, 1 per raw row or batch. */
  readonly commitsPerOperation: number;
  readonly elapsedMs: number;
  readonly latency: LatencySummary;
};

/** The value below which `fraction` of the sorted samples fall (nearest rank). */
export function percentile(sortedMs: Float64Array, fraction: number): number {
  invariant(sortedMs.length > 0, 'a percentile needs at least one sample');
  const rank = Math.ceil(fraction * sortedMs.length);
  const value = sortedMs[Math.min(Math.max(rank, 1), sortedMs.length) - 1];
  invariant(value !== undefined, 'the rank is inside the samples');
  return value;
}

export function summarizeLatencies(samplesMs: Float64Array): LatencySummary {
  const sorted = Float64Array.from(samplesMs).sort();
  return { p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), maxMs: percentile(sorted, 1) };
}

export function operationsPerSecond(result: ScenarioResult): number {
  return result.operations / (result.elapsedMs / 1000);
}

export function commitsPerSecond(result: ScenarioResult): number {
  return operationsPerSecond(result) * result.commitsPerOperation;
}

/** Records one latency sample per operation into a preallocated buffer. */
export class LatencyRecorder {
  readonly #samplesMs: Float64Array;
  #count = 0;

  constructor(capacity: number) {
    this.#samplesMs = new Float64Array(capacity);
  }

  record(durationMs: number): void {
    invariant(this.#count < this.#samplesMs.length, 'more samples than operations');
    this.#samplesMs[this.#count++] = durationMs;
  }

  get samplesMs(): Float64Array {
    return this.#samplesMs.subarray(0, this.#count);
  }

  summary(): LatencySummary {
    return summarizeLatencies(this.samplesMs);
  }
}

// The benchmark's output: the machine it ran on and one table of every scenario, with
// each rate divided by the raw SQLite rates measured in the same run.
import { cpus, platform, release, totalmem } from 'node:os';
import { commitsPerSecond, operationsPerSecond, type ScenarioResult } from './stats.ts';

export type Baseline = {
  /** Durable single-row commits per second (mean of the runs before and after the payments). */
  readonly singleCommitsPerSecond: number;
  /** Rows per second when many rows share one commit. */
  readonly batchedRowsPerSecond: number;
};

const bytesPerGib = 1024 ** 3;

export function describeMachine(): string {
  const processors = cpus();
  const model = processors[0]?.model.trim() ?? 'unknown CPU';
  const memoryGib = (totalmem() / bytesPerGib).toFixed(1);
  return `${new Date().toISOString()} · ${model} × ${processors.length} · ${memoryGib} GiB · ${platform()} ${release()} · node ${process.version}`;
}

const headers = [
  'scenario', 'K', 'ops', 'time s', 'ops/s', 'commits/s', 'p50 ms', 'p99 ms',
  'ops/s ÷ raw 1-row', 'commits/s ÷ raw 1-row', 'ops/s ÷ raw batched',
] as const;

function rate(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function row(result: ScenarioResult, baseline: Baseline): string[] {
  const perSecond = operationsPerSecond(result);
  const commits = commitsPerSecond(result);
  return [
    result.name,
    String(result.concurrency),
    String(result.operations),
    (result.elapsedMs / 1000).toFixed(1),
    rate(perSecond),
    rate(commits),
    result.latency.p50Ms.toFixed(2),
    result.latency.p99Ms.toFixed(2),
    (perSecond / baseline.singleCommitsPerSecond).toFixed(2),
    (commits / baseline.singleCommitsPerSecond).toFixed(2),
    (perSecond / baseline.batchedRowsPerSecond).toFixed(3),
  ];
}

export function plainTable(results: readonly ScenarioResult[], baseline: Baseline): string {
  const rows = [[...headers], ...results.map((result) => row(result, baseline))];
  const widths = headers.map((_, column) => Math.max(...rows.map((cells) => (cells[column] ?? '').length)));
  return rows
    .map((cells) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  '))
    .join('\n');
}

export function markdownTable(results: readonly ScenarioResult[], baseline: Baseline): string {
  const alignment = headers.map((_, column) => (column === 0 ? '---' : '---:'));
  return [[...headers], alignment, ...results.map((result) => row(result, baseline))]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n');
}

export const legend = `ops are payments or refunds (2 commits each) or raw rows; p50/p99 are per payment or refund, or per raw transaction.
Ratios divide by the raw rates measured above in this run (1-row: mean of before and after).`;

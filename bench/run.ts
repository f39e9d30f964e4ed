// `npm run bench`: raw SQLite insert rates, then payments/s and refunds/s in-process and
// over HTTP on the embedded store, each divided by the raw rates of the same run. Not part
// of `npm test`.
import { inProcessPayments, httpPayments, parseOptions, usage, type BenchOptions } from './options.ts';
import { measureRawInserts, rawBatched, rawSingle } from './raw-sqlite.ts';
import { measureInProcess } from './payments-in-process.ts';
import { measureOverHttp } from './payments-http.ts';
import { describeMachine, legend, markdownTable, plainTable, type Baseline } from './report.ts';
import { commitsPerSecond, operationsPerSecond, type ScenarioResult } from './stats.ts';

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

function announce(result: ScenarioResult): ScenarioResult {
  const latency = `p50 ${result.latency.p50Ms.toFixed(2)} ms, p99 ${result.latency.p99Ms.toFixed(2)} ms`;
  progress(`  ${result.name} K=${result.concurrency}: ${operationsPerSecond(result).toFixed(0)} ops/s, ${latency}`);
  return result;
}

async function paymentScenarios(options: BenchOptions): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const operation of ['payments', 'refunds'] as const) {
    for (const concurrency of options.inProcessConcurrency) {
      const payments = inProcessPayments(options, concurrency);
      progress(`in-process: ${payments} ${operation}, ${concurrency} in flight…`);
      results.push(announce(await measureInProcess({ payments, warmupPayments: options.warmupPayments, concurrency }, operation)));
    }
    for (const concurrency of options.httpConcurrency) {
      const payments = httpPayments(options);
      progress(`over HTTP: ${payments} ${operation}, ${concurrency} connections…`);
      results.push(announce(await measureOverHttp({ payments, warmupPayments: options.warmupPayments, concurrency }, operation)));
    }
  }
  return results;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(usage);
    return;
  }
  const machine = describeMachine();
  progress(`Contra benchmark · ${machine}`);
  progress(`raw SQLite: ${options.rawDurationMs} ms each…`);
  const singleBefore = announce({ ...measureRawInserts(rawSingle, options.rawDurationMs), name: `${rawSingle.name} (before)` });
  const batched = announce(measureRawInserts(rawBatched, options.rawDurationMs));
  const payments = await paymentScenarios(options);
  progress('raw SQLite again, to see drift…');
  const singleAfter = announce({ ...measureRawInserts(rawSingle, options.rawDurationMs), name: `${rawSingle.name} (after)` });
  const baseline: Baseline = {
    singleCommitsPerSecond: (commitsPerSecond(singleBefore) + commitsPerSecond(singleAfter)) / 2,
    batchedRowsPerSecond: operationsPerSecond(batched),
  };
  const results = [singleBefore, batched, singleAfter, ...payments];
  process.stdout.write(`\nContra benchmark · ${machine}\n\n${plainTable(results, baseline)}\n\n${legend}\n`);
  if (options.markdown) process.stdout.write(`\n${markdownTable(results, baseline)}\n`);
}

await main();

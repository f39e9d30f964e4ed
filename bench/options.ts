// The benchmark's options, from the command line or the environment (the command line
// wins), checked against limits so a typo cannot start an hour-long run.
import { parseArgs } from 'node:util';

export const paymentsMax = 1_000_000;
export const concurrencyMax = 256;
export const rawDurationMsMax = 60_000;

/** Sized for a 2-core VM: each payment scenario runs roughly 10–20 s (see README). */
export const defaults = {
  /** One payment in flight is latency-bound (two fsyncs each); more in flight share fsyncs. */
  inProcessPaymentsSerial: 2_500,
  inProcessPaymentsConcurrent: 8_000,
  httpPayments: 6_000,
  warmupPayments: 200,
  inProcessConcurrency: [1, 16],
  httpConcurrency: [16],
  rawDurationMs: 4_000,
} as const;

export type BenchOptions = {
  /** Payments per scenario; null means the per-scenario default. */
  readonly payments: number | null;
  readonly warmupPayments: number;
  readonly inProcessConcurrency: readonly number[];
  readonly httpConcurrency: readonly number[];
  readonly rawDurationMs: number;
  readonly markdown: boolean;
  readonly help: boolean;
};

export const usage = `npm run bench -- [options]

  --payments N                 payments per scenario (BENCH_PAYMENTS; default: in-process ${defaults.inProcessPaymentsSerial}
                               at concurrency 1 and ${defaults.inProcessPaymentsConcurrent} above; over HTTP ${defaults.httpPayments})
  --warmup N                   uncounted payments before each scenario (BENCH_WARMUP; default ${defaults.warmupPayments})
  --in-process-concurrency L   comma-separated, 0 to skip (BENCH_IN_PROCESS_CONCURRENCY; default ${defaults.inProcessConcurrency.join(',')})
  --http-concurrency L         comma-separated, 0 to skip (BENCH_HTTP_CONCURRENCY; default ${defaults.httpConcurrency.join(',')})
  --raw-duration-ms N          length of each raw SQLite run (BENCH_RAW_DURATION_MS; default ${defaults.rawDurationMs})
  --markdown                   also print a markdown table (BENCH_MARKDOWN=1)
`;

function integerIn(name: string, text: string, minimum: number, maximum: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < minimum || value > maximum) {
    throw new Error(`${name} must be an integer from ${minimum} to ${maximum}, not '${text}'`);
  }
  return value;
}

/** "1,16" → [1, 16]; "0" → [] (the scenario is skipped). */
function concurrencyList(name: string, text: string): number[] {
  const values = text.split(',').map((part) => integerIn(name, part.trim(), 0, concurrencyMax));
  return values.filter((value) => value > 0);
}

export function parseOptions(argv: readonly string[], environment: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      payments: { type: 'string' },
      warmup: { type: 'string' },
      'in-process-concurrency': { type: 'string' },
      'http-concurrency': { type: 'string' },
      'raw-duration-ms': { type: 'string' },
      markdown: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  const payments = values.payments ?? environment['BENCH_PAYMENTS'];
  const warmup = values.warmup ?? environment['BENCH_WARMUP'];
  const rawDuration = values['raw-duration-ms'] ?? environment['BENCH_RAW_DURATION_MS'];
  return {
    payments: payments === undefined ? null : integerIn('payments', payments, 1, paymentsMax),
    warmupPayments: warmup === undefined ? defaults.warmupPayments : integerIn('warmup', warmup, 0, paymentsMax),
    inProcessConcurrency: concurrencyList('in-process-concurrency',
      values['in-process-concurrency'] ?? environment['BENCH_IN_PROCESS_CONCURRENCY'] ?? defaults.inProcessConcurrency.join(',')),
    httpConcurrency: concurrencyList('http-concurrency',
      values['http-concurrency'] ?? environment['BENCH_HTTP_CONCURRENCY'] ?? defaults.httpConcurrency.join(',')),
    rawDurationMs: rawDuration === undefined ? defaults.rawDurationMs : integerIn('raw-duration-ms', rawDuration, 100, rawDurationMsMax),
    markdown: values.markdown ?? environment['BENCH_MARKDOWN'] === '1',
    help: values.help ?? false,
  };
}

export function inProcessPayments(options: BenchOptions, concurrency: number): number {
  if (options.payments !== null) return options.payments;
  return concurrency === 1 ? defaults.inProcessPaymentsSerial : defaults.inProcessPaymentsConcurrent;
}

export function httpPayments(options: BenchOptions): number {
  return options.payments ?? defaults.httpPayments;
}

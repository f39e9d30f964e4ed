// A throwaway Contra runtime for one scenario: its own data directory, silent logs, the
// real store and key vault, and a bootstrap token known to the benchmark.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../src/interfaces/config.ts';
import { createLogger } from '../src/interfaces/logger.ts';
import { openRuntime, type Runtime } from '../src/interfaces/runtime.ts';

export const benchAdminToken = 'bench-bootstrap-token-0123456789abcdef';

export type BenchRuntime = {
  readonly runtime: Runtime;
  readonly config: Config;
  readonly logger: Logger;
  close(): Promise<void>;
};

export async function openBenchRuntime(): Promise<BenchRuntime> {
  const dataDir = mkdtempSync(join(tmpdir(), 'contra-bench-'));
  const config = loadConfig({ CONTRA_DATA_DIR: dataDir, CONTRA_ADMIN_TOKEN: benchAdminToken, CONTRA_LOG_LEVEL: 'silent' });
  const logger = createLogger(config.logLevel);
  try {
    const runtime = await openRuntime(config, logger);
    return {
      runtime,
      config,
      logger,
      async close() {
        try {
          await runtime.close();
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The payment every scenario takes: an approved simulator card, with a fee and a tax. */
export const benchPayment = {
  amount: '100.00',
  currency: 'NGN',
  processorId: 'simulator',
  card: { number: '4242424242424242', expMonth: 12, expYear: 2040, cvc: '123' },
  fees: [{ type: 'fee', amount: '1.50' }, { type: 'tax', amount: '0.11' }],
} as const;

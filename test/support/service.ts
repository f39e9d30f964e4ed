// Starts a real Contra HTTP service for a test: its own data directory (SQLite file and
// master key), a real listening socket on 127.0.0.1, and every log line captured so tests
// can prove what never reaches a log.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/interfaces/config.ts';
import { createLogger } from '../../src/interfaces/logger.ts';
import { openRuntime, type Runtime, type RuntimeOverrides } from '../../src/interfaces/runtime.ts';
import { buildHttpServer } from '../../src/interfaces/http/server.ts';
import { registerDashboardRoutes } from '../../src/interfaces/http/routes/dashboard.ts';
import { createPrometheusMetrics } from '../../src/interfaces/metrics/prometheus-metrics.ts';
import { createServiceSchema, createServiceTables, filesText, testStoreKind, type TestStoreKind } from './test-store.ts';

export const adminToken = 'test-bootstrap-token-0123456789abcdef';

export type TestService = {
  readonly baseUrl: string;
  readonly dataDir: string;
  /** The store this service runs on: CONTRA_TEST_STORE=postgres|dynamodb runs the API suites there. */
  readonly storeKind: TestStoreKind;
  /** The variables this service was configured from: another process given them runs on the same store and keys. */
  readonly environment: Readonly<Record<string, string>>;
  /** Every byte the store keeps, as text, to prove what is never stored. */
  storedText(): Promise<string>;
  readonly runtime: Runtime;
  readonly app: FastifyInstance;
  readonly logs: string[];
  close(): Promise<void>;
};

export async function startService(overrides: RuntimeOverrides & { environment?: Record<string, string> } = {}): Promise<TestService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'contra-test-'));
  const storeKind = testStoreKind();
  const postgres = storeKind === 'postgres' ? await createServiceSchema() : null;
  const dynamodb = storeKind === 'dynamodb' ? createServiceTables() : null;
  const environment: Record<string, string> = {
    ...(postgres === null ? {} : { DATABASE_URL: postgres.url }),
    ...dynamodb?.environment,
    CONTRA_DATA_DIR: dataDir,
    CONTRA_ADMIN_TOKEN: adminToken,
    CONTRA_LOG_LEVEL: 'debug',
    CONTRA_PROCESSOR_TIMEOUT_MS: '2000',
    CONTRA_REQUERY_DELAY_MS: '0',
    ...overrides.environment,
  };
  const config = loadConfig(environment);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  // Like `contra serve`: Prometheus metrics, /metrics and the dashboard.
  const runtime = await openRuntime(config, logger, { metrics: createPrometheusMetrics(), ...overrides });
  const app = await buildHttpServer(runtime, { logger, bodyLimitBytes: config.bodyLimitBytes, metricsToken: config.metricsToken, dashboard: registerDashboardRoutes });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    dataDir,
    storeKind,
    environment,
    runtime,
    app,
    logs,
    storedText: () => (postgres?.storedText() ?? dynamodb?.storedText() ?? Promise.resolve(filesText(dataDir))),
    async close() {
      await app.close();
      await runtime.close();
      await postgres?.drop();
      await dynamodb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

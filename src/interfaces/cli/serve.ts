// `contra serve` / `npm start`: the HTTP API plus the scheduler (requery of pending
// payments, refunds and transfers, failure detection, audit checkpoints), stopped cleanly on SIGINT and SIGTERM.
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { openRuntime } from '../runtime.ts';
import { buildHttpServer } from '../http/server.ts';
import { startScheduler } from '../jobs/scheduler.ts';
import { requeryPendingPayments } from '../../app/payments/requery-payments.ts';
import { requeryPendingRefunds } from '../../app/refunds/requery-refunds.ts';
import { sealAllCheckpoints } from '../../app/audit/verify-audit.ts';
import { requeryPendingTransfers } from '../../app/transfers/requery-transfers.ts';
import { detectFailures } from '../../app/reversals/detect-failures.ts';

export async function serve(config: Config, logger: Logger): Promise<void> {
  const runtime = await openRuntime(config, logger);
  const app = await buildHttpServer(runtime, { logger, bodyLimitBytes: config.bodyLimitBytes });
  const scheduler = startScheduler([
    { name: 'requery-payments', intervalMs: config.requeryIntervalMs, run: () => requeryPendingPayments(runtime.deps) },
    { name: 'requery-refunds', intervalMs: config.requeryIntervalMs, run: () => requeryPendingRefunds(runtime.deps) },
    { name: 'requery-transfers', intervalMs: config.requeryIntervalMs, run: () => requeryPendingTransfers(runtime.deps) },
    { name: 'detect-failures', intervalMs: config.detectIntervalMs, run: () => detectFailures(runtime.deps) },
    { name: 'seal-audit-checkpoints', intervalMs: config.checkpointIntervalMs, run: () => sealAllCheckpoints(runtime.deps) },
  ], logger);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = address !== null && typeof address === 'object' ? address.port : config.port;
  logger.info({ host: config.host, port, store: config.store.kind }, 'Contra is serving');
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    void (async () => {
      await app.close();
      await scheduler.stop();
      await runtime.close();
    })();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

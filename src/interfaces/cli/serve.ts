// `contra serve` / `npm start`: the HTTP API plus the scheduler (requery of pending
// payments, refunds and transfers, failure detection, notification delivery, audit
// checkpoints, real-time reconciliation, the daily backup and end-of-day reconciliation),
// stopped cleanly on SIGINT and SIGTERM.
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { openRuntime } from '../runtime.ts';
import { buildHttpServer } from '../http/server.ts';
import { registerDashboardRoutes } from '../http/routes/dashboard.ts';
import { startScheduler } from '../jobs/scheduler.ts';
import { startCronJobs } from '../jobs/cron-jobs.ts';
import { backupAllTenants } from '../../app/backups/write-backup.ts';
import { backgroundJobs, runJob } from '../jobs/background-jobs.ts';
import { createPrometheusMetrics } from '../metrics/prometheus-metrics.ts';
import { instrumentJob } from '../metrics/instrument-jobs.ts';

export async function serve(config: Config, logger: Logger): Promise<void> {
  const metrics = createPrometheusMetrics();
  const runtime = await openRuntime(config, logger, { metrics });
  const app = await buildHttpServer(runtime, { logger, bodyLimitBytes: config.bodyLimitBytes, metricsToken: config.metricsToken, dashboard: registerDashboardRoutes });
  const scheduler = startScheduler(backgroundJobs(runtime, config).map((job) => instrumentJob(job, metrics)), logger);
  const cronJobs = startCronJobs([
    instrumentJob({ name: 'backup', cron: config.backups.cron, timezone: config.backups.timezone, run: () => backupAllTenants(runtime.deps, runtime.backups.blobs, { settleMs: runtime.backups.settleMs }) }, metrics),
    // Yesterday's batch reconciliation, on Lagos time whatever the server's zone (V6).
    instrumentJob({ name: 'reconcile-eod', cron: config.reconcileEodCron, timezone: 'Africa/Lagos', run: () => runJob('reconcile-eod', runtime) }, metrics),
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
      await cronJobs.stop();
      await runtime.close();
    })();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

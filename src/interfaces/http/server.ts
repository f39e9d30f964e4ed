// The HTTP composition of the API: Fastify with zod schemas that both validate requests
// and generate the OpenAPI 3.1 document served at /api/v1/openapi.json and /docs.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Dependencies } from '../../app/dependencies.ts';
import type { Authenticator } from '../../app/access/authenticate.ts';
import { installErrorHandling } from './error-handler.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerTenantRoutes } from './routes/tenants.ts';
import { registerApiKeyRoutes } from './routes/api-keys.ts';
import { registerAccountRoutes } from './routes/accounts.ts';
import { registerPaymentRoutes } from './routes/payments.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerRefundRoutes } from './routes/refunds.ts';
import { registerChargebackRoutes } from './routes/chargebacks.ts';
import { registerNotificationRoutes } from './routes/notifications.ts';
import { registerCalendarRoutes } from './routes/calendar.ts';
import { registerBackupRoutes } from './routes/backups.ts';
import { registerCbnReportRoutes } from './routes/cbn-reports.ts';
import { registerIncidentRoutes } from './routes/incidents.ts';
import type { BackupTarget } from '../backup-target.ts';
import { registerTransferRoutes } from './routes/transfers.ts';
import { registerReversalRoutes } from './routes/reversals.ts';
import { registerDisputeRoutes } from './routes/disputes.ts';
import { registerFailurePatternRoutes } from './routes/failure-patterns.ts';
import { registerMetricsRoutes } from './routes/metrics.ts';
import type { registerDashboardRoutes } from './routes/dashboard.ts';
import type { PrometheusMetrics } from '../metrics/prometheus-metrics.ts';
import { registerReconciliationRoutes } from './routes/reconciliations.ts';
import { registerSettingsRoutes } from './routes/settings.ts';

export const bodyLimitBytesDefault = 64 * 1024;

export type HttpContext = {
  readonly deps: Dependencies;
  readonly authenticator: Authenticator;
  readonly backups: BackupTarget;
  /** The standalone service's Prometheus metrics (T4); Lambda has none and no /metrics. */
  readonly metrics?: PrometheusMetrics | null;
};

export type HttpOptions = {
  readonly logger: Logger;
  readonly bodyLimitBytes?: number;
  /** When set, GET /metrics asks for it as a bearer token. */
  readonly metricsToken?: string | null;
  /**
   * The browser dashboard's routes (T5), passed in by `contra serve`: a function rather
   * than an import here, so the Lambda bundle carries neither the page nor esbuild.
   */
  readonly dashboard?: typeof registerDashboardRoutes;
};

export async function buildHttpServer(
  context: HttpContext,
  options: HttpOptions,
): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app = Fastify({
    loggerInstance,
    bodyLimit: options.bodyLimitBytes ?? bodyLimitBytesDefault,
    requestIdHeader: false,
    genReqId: () => context.deps.ids.next('req'),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  // First, so that its hook times every route registered after it.
  if (context.metrics) registerMetricsRoutes(app, context.metrics, options.metricsToken ?? null);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Contra API', version: '1.0.0', description: 'Payments ledger: payments, refunds, reversals, audit trail.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, () => app.swagger());
  registerHealthRoutes(app, context);
  registerTenantRoutes(app, context);
  registerApiKeyRoutes(app, context);
  registerSettingsRoutes(app, context);
  registerAccountRoutes(app, context);
  registerPaymentRoutes(app, context);
  registerRefundRoutes(app, context);
  registerChargebackRoutes(app, context);
  registerTransferRoutes(app, context);
  registerDisputeRoutes(app, context);
  registerReversalRoutes(app, context);
  registerFailurePatternRoutes(app, context);
  registerReconciliationRoutes(app, context);
  registerAuditRoutes(app, context);
  registerNotificationRoutes(app, context);
  registerCalendarRoutes(app, context);
  registerBackupRoutes(app, context);
  registerCbnReportRoutes(app, context);
  registerIncidentRoutes(app, context);
  options.dashboard?.(app);
  await app.ready();
  return app;
}

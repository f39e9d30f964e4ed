// Liveness and readiness: /healthz answers while the process runs; /readyz only when the
// store answers a read.
import type { FastifyInstance } from 'fastify';
import { platformTenantId } from '../../../domain/ids.ts';
import type { HttpContext } from '../server.ts';
import { sendError } from '../send.ts';

export function registerHealthRoutes(app: FastifyInstance, { deps }: HttpContext): void {
  app.get('/healthz', { schema: { hide: true } }, () => ({ message: 'Contra is running.', status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (request, reply) => {
    try {
      await deps.store.getRecord(platformTenantId, 'bootstrap_token', 'admin');
      return { message: 'Contra is ready.', status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      return sendError(reply, 'not_ready');
    }
  });
}

// The notification queue for operations (N1): GET /api/v1/notifications?status=due|dead
// and POST /api/v1/notifications/:id/retry to send a dead-lettered one again.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listNotifications, retryNotification } from '../../../app/notifications/manage-notifications.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendResult } from '../send.ts';
import { pageQuerySchema } from '../schemas.ts';

const listQuery = pageQuerySchema.extend({
  status: z.enum(['due', 'dead']).default('dead').describe('due: waiting or retrying; dead: given up, with the reason.'),
});
const notificationParams = z.strictObject({ id: z.string().max(64) });

export function registerNotificationRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/api/v1/notifications', {
    schema: { tags: ['notifications'], summary: 'Notifications waiting to be sent, or in the dead letter.', querystring: listQuery },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.manageNotifications);
    if (principal === null) return reply;
    const { status, limit, cursor } = request.query;
    return sendResult(reply, await listNotifications(deps, principal, status, { limit, ...(cursor === undefined ? {} : { cursor }) }));
  });
  typed.post('/api/v1/notifications/:id/retry', {
    schema: { tags: ['notifications'], summary: 'Send a dead-lettered notification again.', params: notificationParams },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.manageNotifications);
    if (principal === null) return reply;
    return sendResult(reply, await retryNotification(deps, principal, request.params.id));
  });
}

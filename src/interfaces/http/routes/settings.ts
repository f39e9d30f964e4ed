// GET /api/v1/settings (admin, auditor, operator) and PATCH /api/v1/settings (admin): the
// caller's tenant policy settings after creation; a setting sent as null returns to its default.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { changeSettings, readSettings } from '../../../app/tenants/change-settings.ts';
import { settingsChangeSchema } from '../../../app/tenants/tenant-settings.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendResult } from '../send.ts';

export function registerSettingsRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/api/v1/settings', {
    schema: { tags: ['tenants'], summary: 'The tenant\'s policy settings and their version (admin, auditor, operator).' },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readSettings);
    if (principal === null) return reply;
    return sendResult(reply, await readSettings(deps, principal));
  });
  typed.patch('/api/v1/settings', {
    schema: {
      tags: ['tenants'],
      summary: 'Change some of the tenant\'s policy settings (admin); null returns a setting to its default. Audited with every value before and after.',
      body: settingsChangeSchema,
    },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.changeSettings);
    if (principal === null) return reply;
    return sendResult(reply, await changeSettings(deps, principal, request.body));
  });
}

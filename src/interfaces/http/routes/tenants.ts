// POST /api/v1/tenants (bootstrap token only).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createTenant } from '../../../app/tenants/tenants.ts';
import { tenantSettingsSchema } from '../../../app/tenants/tenant-settings.ts';
import type { HttpContext } from '../server.ts';
import { requireBootstrap } from '../auth.ts';
import { sendResult } from '../send.ts';

const createTenantBody = z.strictObject({
  name: z.string().min(1).max(200),
  settings: tenantSettingsSchema.optional(),
});

export function registerTenantRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  app.withTypeProvider<ZodTypeProvider>().post('/api/v1/tenants', {
    schema: { tags: ['tenants'], summary: 'Create a tenant with its first admin API key (bootstrap token).', body: createTenantBody },
  }, async (request, reply) => {
    if (!(await requireBootstrap(authenticator, request, reply))) return reply;
    const { name, settings } = request.body;
    const result = await createTenant(deps, { kind: 'bootstrap' }, { name, ...(settings === undefined ? {} : { settings }) });
    return sendResult(reply, result);
  });
}

// POST /api/v1/api-keys and DELETE /api/v1/api-keys/:id (admin).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createApiKey, revokeApiKey } from '../../../app/access/manage-api-keys.ts';
import { roles } from '../../../app/access/principal.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendResult } from '../send.ts';

export function registerApiKeyRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post('/api/v1/api-keys', {
    schema: {
      tags: ['tenants'], summary: 'Create an API key with one role (admin).',
      body: z.strictObject({ role: z.enum(roles), name: z.string().min(1).max(200) }),
    },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.manageKeys);
    if (principal === null) return reply;
    return sendResult(reply, await createApiKey(deps, principal, request.body));
  });
  typed.delete('/api/v1/api-keys/:id', {
    schema: { tags: ['tenants'], summary: 'Revoke an API key (admin).', params: z.strictObject({ id: z.string().max(64) }) },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.manageKeys);
    if (principal === null) return reply;
    const result = await revokeApiKey(deps, principal, request.params.id);
    if (result.ok) authenticator.forgetApiKey(request.params.id);
    return sendResult(reply, result);
  });
}

// Failure patterns (V7): GET /api/v1/transactions/reversals/patterns — rates by failure
// type, bank, channel and Lagos hour over a period, flagged spikes, plain advice.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { failurePatterns } from '../../../app/reversals/failure-patterns.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendReply } from '../send.ts';

export function registerFailurePatternRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/api/v1/transactions/reversals/patterns', {
    schema: {
      tags: ['reversals'], summary: 'Failure rates by type, bank, channel and hour (Lagos), spikes and recommendations (default: the last 7 days).',
      querystring: z.strictObject({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() }),
    },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readLedger);
    if (principal === null) return reply;
    const { from, to } = request.query;
    return sendReply(reply, await failurePatterns(deps, principal.tenantId, {
      ...(from === undefined ? {} : { fromAt: Date.parse(from) }), ...(to === undefined ? {} : { toAt: Date.parse(to) }),
    }));
  });
}

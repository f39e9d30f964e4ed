// Backups (B1): POST /api/v1/backups takes a backup of the caller's tenant now;
// GET /api/v1/backups lists them, newest first. Admins and auditors only.
import type { FastifyInstance } from 'fastify';
import { listBackups, takeBackup } from '../../../app/backups/backup-requests.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendResult } from '../send.ts';

export function registerBackupRoutes(app: FastifyInstance, { deps, authenticator, backups }: HttpContext): void {
  app.post('/api/v1/backups', { schema: { tags: ['backups'], summary: 'Back up this tenant\'s audit trail and records now (incremental since the last backup).' } }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.backups);
    if (principal === null) return reply;
    return sendResult(reply, await takeBackup(deps, backups.blobs, principal, backups.settleMs));
  });
  app.get('/api/v1/backups', { schema: { tags: ['backups'], summary: 'This tenant\'s backups, newest first, with the chain head each vouches for.' } }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.backups);
    if (principal === null) return reply;
    return sendResult(reply, await listBackups(backups.blobs, principal.tenantId));
  });
}

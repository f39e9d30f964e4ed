// CBN reversal reports (D2): GET /api/v1/transactions/reversals/compliance/cbn?period=YYYY-MM
// (JSON, or CSV with `Accept: text/csv`), POST …/compliance/cbn/:id/submit and
// POST …/compliance/cbn/:id/acknowledge { reference }. Admins and auditors.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { acknowledgeCbnReport, cbnReportId, readCbnReport, submitCbnReport } from '../../../app/compliance/cbn-reports.ts';
import { reportCsv } from '../../report-csv.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendResult } from '../send.ts';

const periodQuery = z.strictObject({ period: z.string().regex(/^\d{4}-\d{2}$/, 'must be a month YYYY-MM').describe('The month, in Lagos time.') });
const reportParams = z.strictObject({ id: z.string().max(32) });
const acknowledgeBody = z.strictObject({ reference: z.string().trim().min(1).max(64).describe('The reference the CBN gave the submission.') });

export function registerCbnReportRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/api/v1/transactions/reversals/compliance/cbn', {
    schema: { tags: ['compliance'], summary: 'The CBN reversal report of a month (JSON, or CSV with Accept: text/csv).', querystring: periodQuery },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.cbnReports);
    if (principal === null) return reply;
    const result = await readCbnReport(deps, principal, request.query.period);
    if (result.ok && (request.headers.accept ?? '').includes('text/csv')) {
      const filename = `${cbnReportId(request.query.period)}.csv`;
      return reply.code(200).type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(reportCsv(result.value.body));
    }
    return sendResult(reply, result);
  });
  typed.post('/api/v1/transactions/reversals/compliance/cbn/:id/submit', {
    schema: { tags: ['compliance'], summary: 'Submit the report: its figures are frozen as they are now.', params: reportParams },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.cbnReports);
    if (principal === null) return reply;
    return sendResult(reply, await submitCbnReport(deps, principal, request.params.id));
  });
  typed.post('/api/v1/transactions/reversals/compliance/cbn/:id/acknowledge', {
    schema: { tags: ['compliance'], summary: 'Record the CBN\'s acknowledgement of a submitted report, with its reference.', params: reportParams, body: acknowledgeBody },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.cbnReports);
    if (principal === null) return reply;
    return sendResult(reply, await acknowledgeCbnReport(deps, principal, request.params.id, request.body.reference));
  });
}

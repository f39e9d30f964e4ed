// Incident reports (D3), next to the CBN report: GET …/compliance/incidents (filters
// status, from, to; cursor pages; JSON, or CSV with `Accept: text/csv`), GET …/:id,
// POST …/:id/submit { reference } and POST …/:id/resolve { resolution }.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { incidentStatuses } from '../../../domain/compliance/incident.ts';
import { listIncidents, readIncident, resolveIncident, submitIncident } from '../../../app/compliance/incidents.ts';
import type { JsonObject, JsonValue } from '../../../app/ports/store.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendReply, sendResult } from '../send.ts';
import { pageQuerySchema, reasonSchema } from '../schemas.ts';
import { csvCell } from '../../report-csv.ts';

const basePath = '/api/v1/transactions/reversals/compliance/incidents';
const isoTime = z.iso.datetime({ offset: true });
const listQuery = pageQuerySchema.extend({
  status: z.enum(incidentStatuses).optional(),
  from: isoTime.optional().describe('Detected at or after this time (ISO 8601).'),
  to: isoTime.optional().describe('Detected before this time (ISO 8601).'),
});
const incidentParams = z.strictObject({ id: z.string().max(40) });
const submitBody = z.strictObject({ reference: z.string().trim().min(1).max(64).describe('The reference the regulator gave the submission.') });
const resolveBody = z.strictObject({ resolution: reasonSchema.describe('How the incident was resolved.') });

export const incidentCsvColumns = [
  'incident_reference', 'type', 'trigger', 'status', 'transaction_references', 'amount', 'currency', 'failure_reason', 'detected_at',
  'resolution_target', 'overdue', 'submitted_at', 'submission_reference', 'resolved_at', 'within_target', 'resolution',
] as const;

/** One header row and a row per incident, RFC 4180; the transaction references are separated by spaces. */
export function incidentsCsv(rows: readonly JsonObject[]): string {
  const line = (row: JsonObject): string => incidentCsvColumns.map((column) => {
    const value: JsonValue | undefined = row[column];
    return csvCell(Array.isArray(value) ? value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(' ') : value);
  }).join(',');
  return [incidentCsvColumns.join(','), ...rows.map(line)].map((text) => `${text}\r\n`).join('');
}

export function registerIncidentRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(basePath, {
    schema: { tags: ['compliance'], summary: 'List incident reports (filters: status, from, to; cursor pages; CSV with Accept: text/csv).', querystring: listQuery },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readIncidents);
    if (principal === null) return reply;
    const query = request.query;
    const listed = await listIncidents(deps, principal, {
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.from === undefined ? {} : { fromAt: Date.parse(query.from) }),
      ...(query.to === undefined ? {} : { toAt: Date.parse(query.to) }),
    });
    if ((request.headers.accept ?? '').includes('text/csv')) {
      const rows = listed.body['data'];
      const next = listed.body['next_cursor'];
      return reply.code(200).type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="incidents.csv"')
        .header('x-next-cursor', typeof next === 'string' ? next : '')
        .send(incidentsCsv(Array.isArray(rows) ? rows.filter((row): row is JsonObject => typeof row === 'object' && row !== null && !Array.isArray(row)) : []));
    }
    return sendReply(reply, listed);
  });
  typed.get(`${basePath}/:id`, {
    schema: { tags: ['compliance'], summary: 'One incident report.', params: incidentParams },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readIncidents);
    if (principal === null) return reply;
    return sendResult(reply, await readIncident(deps, principal, request.params.id));
  });
  typed.post(`${basePath}/:id/submit`, {
    schema: { tags: ['compliance'], summary: 'Record the submission of an open incident to the regulator, with its reference; the report is frozen.', params: incidentParams, body: submitBody },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.submitIncidents);
    if (principal === null) return reply;
    return sendResult(reply, await submitIncident(deps, principal, request.params.id, request.body.reference));
  });
  typed.post(`${basePath}/:id/resolve`, {
    schema: { tags: ['compliance'], summary: 'Resolve a submitted incident; whether it was within its resolution target is recorded.', params: incidentParams, body: resolveBody },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.resolveIncidents);
    if (principal === null) return reply;
    return sendResult(reply, await resolveIncident(deps, principal, request.params.id, request.body.resolution));
  });
}

// The working-day calendar (D1): GET /api/v1/calendar/holidays?year=, PUT and DELETE
// /api/v1/calendar/holidays/:date for overrides (admin), and GET /api/v1/calendar/deadline
// to see the resolution deadline the tenant's timeline rules give a case.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { computeDeadline, listHolidays, setHolidayOverride, withdrawHolidayOverride } from '../../../app/calendar/calendar.ts';
import type { HttpContext } from '../server.ts';
import { access, requireRole } from '../auth.ts';
import { sendResult } from '../send.ts';
import { amountSchema, currencySchema } from '../schemas.ts';

const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').describe('A calendar date in Lagos time.');
const yearQuery = z.strictObject({ year: z.coerce.number().int().min(2000).max(2100).describe('The year to list.') });
const dateParams = z.strictObject({ date: dateSchema });
const overrideBody = z.strictObject({
  action: z.enum(['add', 'remove']).describe('add: the date is a holiday; remove: a computed holiday is not (it was moved).'),
  name: z.string().trim().min(1).max(100),
});
const deadlineQuery = z.strictObject({
  opened_at: z.string().max(40).describe('When the case opened, ISO 8601.'),
  channel: z.string().trim().min(1).max(32).describe('nip, atm_on_us, atm_not_on_us, pos, web, mobile, …'),
  failure_type: z.string().trim().min(1).max(64).default('unspecified'),
  amount: amountSchema,
  currency: currencySchema,
});

export function registerCalendarRoutes(app: FastifyInstance, { deps, authenticator }: HttpContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/api/v1/calendar/holidays', {
    schema: { tags: ['calendar'], summary: 'The public holidays of a year that deadlines skip: computed, corrected by overrides.', querystring: yearQuery },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readLedger);
    if (principal === null) return reply;
    return sendResult(reply, await listHolidays(deps, principal, request.query.year));
  });
  typed.put('/api/v1/calendar/holidays/:date', {
    schema: { tags: ['calendar'], summary: 'Declare a date a holiday, or take back a computed one.', params: dateParams, body: overrideBody },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.manageCalendar);
    if (principal === null) return reply;
    return sendResult(reply, await setHolidayOverride(deps, principal, { date: request.params.date, ...request.body }));
  });
  typed.delete('/api/v1/calendar/holidays/:date', {
    schema: { tags: ['calendar'], summary: 'Withdraw the override of a date.', params: dateParams },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.manageCalendar);
    if (principal === null) return reply;
    return sendResult(reply, await withdrawHolidayOverride(deps, principal, request.params.date));
  });
  typed.get('/api/v1/calendar/deadline', {
    schema: { tags: ['calendar'], summary: 'The resolution deadline of a case under the tenant\'s timeline rules.', querystring: deadlineQuery },
  }, async (request, reply) => {
    const principal = await requireRole(authenticator, request, reply, access.readLedger);
    if (principal === null) return reply;
    const query = request.query;
    return sendResult(reply, await computeDeadline(deps, principal, { openedAt: query.opened_at, channel: query.channel, failureType: query.failure_type, amount: query.amount, currency: query.currency }));
  });
}

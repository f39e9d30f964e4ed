// Notification templates (N1): the words customers and operations staff read, from the
// seed's reversal message. Each template checks the data it is given, so a use case
// cannot enqueue a message that would render with holes in it.
import { z } from 'zod';
import { formatForPeople } from '../money/money.ts';
import { isCurrencyCode } from '../money/currencies.ts';
import { ok, refuse, type Result } from '../result.ts';

export type RenderedMessage = { readonly subject: string; readonly text: string };

const minorUnits = z.string().regex(/^-?[0-9]{1,19}$/, 'an integer amount in minor units');
const currency = z.string().refine(isCurrencyCode, 'an ISO 4217 currency code');
const reference = z.string().min(1).max(64);

function people(amountMinor: string, code: string): string {
  return isCurrencyCode(code) ? formatForPeople(BigInt(amountMinor), code) : `${code} ${amountMinor}`;
}

export const templateNames = ['reversal.completed', 'reversal.approval_needed', 'transfer.escalated', 'failure.burst', 'dispute.overdue', 'incident.opened', 'reconciliation.mismatches', 'reconciliation.failed', 'reversal.rolled_back'] as const;
export type TemplateName = (typeof templateNames)[number];

export function isTemplateName(value: string): value is TemplateName {
  return templateNames.some((name) => name === value);
}

function rendered<T>(schema: z.ZodType<T>, data: unknown, render: (data: T) => RenderedMessage): Result<RenderedMessage, 'invalid_notification_data'> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return ok(render(parsed.data));
  const issue = parsed.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? undefined : issue.path.join('.');
  return refuse('invalid_notification_data', field, issue?.message);
}

const reversalCompleted = z.strictObject({ amount_minor: minorUnits, currency, reversal_reference: reference });
const reversalRolledBack = z.strictObject({ amount_minor: minorUnits, currency, reversal_reference: reference, transfer_reference: reference });
const approvalNeeded = z.strictObject({
  amount_minor: minorUnits, currency, reversal_reference: reference, requested_by: z.string().min(1).max(128), reason: z.string().max(500),
});
const transferEscalated = z.strictObject({ transfer_reference: reference, failed_transaction_id: reference, query_attempts: z.string().regex(/^[0-9]{1,6}$/) });
const failureBurst = z.strictObject({ bank_code: z.string().min(1).max(16), count: z.string().regex(/^[0-9]{1,9}$/), window_minutes: z.string().regex(/^[0-9]{1,6}$/) });
const reconciliationMismatches = z.strictObject({
  run_id: reference, type: z.enum(['real_time', 'batch_eod']), mismatches: z.string().regex(/^[0-9]{1,9}$/), reversals: z.string().regex(/^[0-9]{1,9}$/),
});
const reconciliationFailed = z.strictObject({ run_id: reference, type: z.enum(['real_time', 'batch_eod']), failure: z.string().min(1).max(300) });
const disputeOverdue = z.strictObject({ dispute_reference: reference, due_at: z.string().min(1).max(64), penalty_minor: minorUnits, currency });
const incidentOpened = z.strictObject({
  incident_reference: reference, type: z.string().min(1).max(64), trigger: z.string().min(1).max(64), transactions: z.string().regex(/^[0-9]{1,6}$/),
  amount_minor: minorUnits, currency, resolution_target: z.string().min(1).max(64),
});

/** Renders a template, or refuses data that does not fit it (naming the field). */
export function renderTemplate(name: TemplateName, data: unknown): Result<RenderedMessage, 'invalid_notification_data'> {
  switch (name) {
    // To the customer, when a failed transfer has been credited back (seed 004).
    case 'reversal.completed':
      return rendered(reversalCompleted, data, (fields) => ({
        subject: 'Transaction Reversal Confirmation',
        text: `Your transaction of ${people(fields.amount_minor, fields.currency)} has been reversed due to a failed transfer. `
          + `The money has been credited back to your account. Reference: ${fields.reversal_reference}`,
      }));
    // To the customer, when a reversal is rolled back because the transfer did reach the beneficiary (R8).
    case 'reversal.rolled_back':
      return rendered(reversalRolledBack, data, (fields) => ({
        subject: 'Transaction Reversal Corrected',
        text: `Your transfer ${fields.transfer_reference} of ${people(fields.amount_minor, fields.currency)} reached the beneficiary after all, `
          + `so the reversal ${fields.reversal_reference} credited to your account has been taken back. Contact us if you have questions.`,
      }));
    // To operations, when a reversal waits for a second person's approval (maker-checker).
    case 'reversal.approval_needed':
      return rendered(approvalNeeded, data, (fields) => ({
        subject: `Reversal ${fields.reversal_reference} needs approval`,
        text: `A manual reversal of ${people(fields.amount_minor, fields.currency)} (${fields.reversal_reference}) was requested by `
          + `${fields.requested_by} and needs approval by someone else. Reason: ${fields.reason}`,
      }));
    // To operations, when status queries never gave a definite answer (V3).
    case 'transfer.escalated':
      return rendered(transferEscalated, data, (fields) => ({
        subject: `Transfer ${fields.transfer_reference} needs a person`,
        text: `Transfer ${fields.transfer_reference} has no definite outcome after ${fields.query_attempts} status queries. `
          + `Check it with the bank, then approve or reject the reversal of ${fields.failed_transaction_id}.`,
      }));
    // To operations, when system-glitch failures cluster at one bank (V2).
    case 'failure.burst':
      return rendered(failureBurst, data, (fields) => ({
        subject: `Failure burst at bank ${fields.bank_code}`,
        text: `${fields.count} system-glitch failures (91/96) at bank ${fields.bank_code} within ${fields.window_minutes} minutes. `
          + 'Transfers to this bank may keep failing; consider pausing them.',
      }));
    // To operations, when a dispute has passed its resolution deadline.
    case 'dispute.overdue':
      return rendered(disputeOverdue, data, (fields) => ({
        subject: `Dispute ${fields.dispute_reference} is overdue`,
        text: `Dispute ${fields.dispute_reference} passed its resolution deadline (${fields.due_at}) and has been escalated. `
          + `Potential penalty exposure: ${people(fields.penalty_minor, fields.currency)}.`,
      }));
    // To operations, when a significant failure needs an incident report to the regulator (D3).
    case 'incident.opened':
      return rendered(incidentOpened, data, (fields) => ({
        subject: `Incident ${fields.incident_reference} opened (${fields.type})`,
        text: `Incident ${fields.incident_reference} (${fields.trigger}) covers ${fields.transactions} transaction(s) of `
          + `${people(fields.amount_minor, fields.currency)} in all. Submit it to the regulator and resolve it by ${fields.resolution_target}.`,
      }));
    // To operations, when a reconciliation run found mismatches (V6).
    case 'reconciliation.mismatches':
      return rendered(reconciliationMismatches, data, (fields) => ({
        subject: `Reconciliation ${fields.run_id} found ${fields.mismatches} mismatches`,
        text: `The ${fields.type} reconciliation ${fields.run_id} found ${fields.mismatches} mismatches and started ${fields.reversals} reversals `
          + 'through the status-query path. Read the run with GET /api/v1/reconciliations/' + fields.run_id + '.',
      }));
    // To operations, when a reconciliation run stopped before it finished (V6).
    case 'reconciliation.failed':
      return rendered(reconciliationFailed, data, (fields) => ({
        subject: `Reconciliation ${fields.run_id} failed`,
        text: `The ${fields.type} reconciliation ${fields.run_id} stopped before it finished: ${fields.failure}. `
          + 'Its checkpoint has not moved; the next run covers the same transfers again. Read the run with GET /api/v1/reconciliations/' + fields.run_id + '.',
      }));
  }
}

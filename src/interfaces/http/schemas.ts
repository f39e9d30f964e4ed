// Request schemas shared by the routes. They validate shape at the edge and feed the
// OpenAPI document; amounts stay strings here and are parsed by the money module.
import { z } from 'zod';
import { clientIdPattern } from '../../domain/ids.ts';
import { idempotencyKeyPattern } from '../../app/shared/idempotency.ts';
import { endsLikeRefundId } from '../../app/refunds/refund-record.ts';
import { pageSizeMax } from '../../app/ports/store.ts';

export const amountSchema = z
  .string({ error: 'must be a decimal string such as "100.00", not a JSON number' })
  .max(32)
  .describe('Decimal string in major units, e.g. "100.00"; JSON numbers are refused.');

export const currencySchema = z.string({ error: 'must be an ISO 4217 code' }).max(8).describe('ISO 4217 code, e.g. "NGN".');

export const clientIdSchema = z
  .string()
  .regex(clientIdPattern, 'must be 1-64 characters of letters, digits and -_.: starting with a letter or digit');

/** A payment's TransactionID or a transfer's reference: a client id outside the refund ids (R5). */
export const transactionIdSchema = clientIdSchema
  .refine((value) => !endsLikeRefundId(value), 'must not end in -REFUND or -REFUND-<n>: those are the ids of refunds');

export const metadataSchema = z
  .record(z.string().max(64), z.string().max(500))
  .refine((value) => Object.keys(value).length <= 20, 'at most 20 keys')
  .describe('Free-form string pairs kept with the record.');

/** The longest page cursor accepted; every store's cursors fit well inside it. */
export const pageCursorLengthMax = 1024;

export const pageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(pageSizeMax).default(50),
  // Store cursors are opaque; DynamoDB's carry the last key of a page and run to a few hundred characters.
  cursor: z.string().max(pageCursorLengthMax).optional().describe('The next_cursor of the previous page, as given.'),
});

export const idempotencyHeaderSchema = z.object({
  'idempotency-key': z.string().regex(idempotencyKeyPattern, 'must be 1-128 characters of letters, digits and -_.:').optional(),
});

export const reasonSchema = z
  .string({ error: 'a reason is required' })
  .trim()
  .min(1, 'a reason is required')
  .max(500)
  .describe('Why, in plain words; kept in the audit trail.');

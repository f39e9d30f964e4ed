// The published error catalog: every refusal code a client can see, with its HTTP status
// and message. This is the one place where codes meet statuses; HTTP and Lambda both
// render errors from it, and docs/reference/errors.md is checked against it by a test.
import type { JsonObject } from '../app/ports/store.ts';
import type { Reply } from '../app/shared/reply.ts';

type CatalogEntry = { readonly status: number; readonly message: string };

export const errorCatalog = {
  invalid_request: { status: 400, message: 'The request is not valid.' },
  malformed_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_amount: { status: 400, message: 'The amount is not valid.' },
  invalid_currency: { status: 400, message: 'The currency is not a known ISO 4217 code.' },
  invalid_fees: { status: 400, message: 'The fees and taxes are not valid.' },
  invalid_fx_rate: { status: 400, message: 'The exchange rate is not valid.' },
  invalid_card: { status: 400, message: 'The card details are not valid.' },
  card_expired: { status: 400, message: 'The card has expired.' },
  unknown_processor: { status: 400, message: 'No such processor.' },
  invalid_account_id: { status: 400, message: 'The account id is not allowed.' },
  invalid_notification_data: { status: 400, message: 'A notification cannot be built from this data.' },
  invalid_idempotency_key: { status: 400, message: 'The Idempotency-Key header is not valid.' },
  invalid_statement: { status: 400, message: 'The settlement statement is not valid.' },
  invalid_reconciliation_date: { status: 400, message: 'The reconciliation date is not valid.' },
  unauthorized: { status: 401, message: 'A valid API key is required.' },
  forbidden: { status: 403, message: 'This key may not do that.' },
  route_not_found: { status: 404, message: 'No such endpoint.' },
  payment_not_found: { status: 404, message: 'No such payment.' },
  account_not_found: { status: 404, message: 'No such account.' },
  tenant_not_found: { status: 404, message: 'No such tenant.' },
  api_key_not_found: { status: 404, message: 'No such API key.' },
  refund_not_found: { status: 404, message: 'No such refund.' },
  chargeback_not_found: { status: 404, message: 'No such chargeback.' },
  notification_not_found: { status: 404, message: 'No such notification.' },
  holiday_override_not_found: { status: 404, message: 'No holiday override is in force on this date.' },
  cbn_report_not_found: { status: 404, message: 'No such CBN report.' },
  incident_not_found: { status: 404, message: 'No such incident report.' },
  transfer_not_found: { status: 404, message: 'No such transfer.' },
  reversal_not_found: { status: 404, message: 'No such reversal.' },
  reconciliation_not_found: { status: 404, message: 'No such reconciliation run.' },
  failed_transaction_not_found: { status: 404, message: 'No such failed transaction.' },
  dispute_not_found: { status: 404, message: 'No such dispute.' },
  duplicate_transaction_id: { status: 409, message: 'Another payment already has this transaction_id.' },
  idempotency_key_reused: { status: 409, message: 'This Idempotency-Key was used with a different request.' },
  request_in_progress: { status: 409, message: 'The first request with this key is still being processed.' },
  account_exists: { status: 409, message: 'An account with this id already exists.' },
  conflict: { status: 409, message: 'The request conflicted with concurrent changes; retry it.' },
  already_refunded: { status: 409, message: 'The payment is already fully refunded.' },
  last_admin_key: { status: 409, message: 'This is the tenant\'s last active admin key; it cannot be revoked.' },
  chargeback_resolved: { status: 409, message: 'The chargeback is already resolved.' },
  notification_not_dead: { status: 409, message: 'Only a dead-lettered notification can be sent again.' },
  cbn_report_submitted: { status: 409, message: 'The CBN report has already been submitted.' },
  cbn_report_not_submitted: { status: 409, message: 'Only a submitted CBN report can be acknowledged.' },
  incident_already_submitted: { status: 409, message: 'The incident report has already been submitted.' },
  incident_not_submitted: { status: 409, message: 'Only an incident submitted to the regulator can be resolved.' },
  incident_resolved: { status: 409, message: 'The incident is resolved and closed.' },
  duplicate_transfer_reference: { status: 409, message: 'Another transfer already has this reference.' },
  reconciliation_running: { status: 409, message: 'A reconciliation of this type is already running for this tenant.' },
  reversal_already_decided: { status: 409, message: 'The reversal has already been approved or rejected.' },
  reversal_not_rollbackable: { status: 409, message: 'Only a completed reversal of an other-bank transfer can be rolled back.' },
  reversal_exists: { status: 409, message: 'The failed transaction already has a reversal.' },
  dispute_transition_invalid: { status: 409, message: 'The dispute cannot move to that status from its current one.' },
  dispute_resolved: { status: 409, message: 'The dispute is resolved and closed.' },
  body_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  unknown_account: { status: 422, message: 'The account does not exist.' },
  account_mismatch: { status: 422, message: 'The account does not fit this payment.' },
  insufficient_funds: { status: 422, message: 'The account does not have enough funds.' },
  payment_not_settled: { status: 422, message: 'The payment is not settled yet.' },
  payment_failed: { status: 422, message: 'The payment failed; there is nothing to refund.' },
  refund_window_closed: { status: 422, message: 'The refund window for this payment has closed.' },
  chargeback_open: { status: 422, message: 'A chargeback is open on this payment.' },
  refund_currency_mismatch: { status: 422, message: 'A refund must be in the currency of its payment.' },
  refund_exceeds_remaining: { status: 422, message: 'The amount is more than remains refundable.' },
  refund_too_small: { status: 422, message: 'The refund converts to nothing in the settlement currency.' },
  too_many_refunds: { status: 422, message: 'The payment has reached the maximum number of refunds.' },
  refund_not_rollbackable: { status: 422, message: 'Only a successful refund can be rolled back.' },
  chargeback_exceeds_captured: { status: 422, message: 'The chargeback is more than the payment has left.' },
  transfer_outcome_unknown: { status: 422, message: 'The transfer\'s outcome is still being queried; only a definite failure is reversed.' },
  transfer_succeeded: { status: 422, message: 'The transfer succeeded; a successful transfer is never reversed.' },
  transfer_not_reversible: { status: 422, message: 'The transfer is not in a state that can be reversed.' },
  transfer_definitely_failed: { status: 422, message: 'The switch reported a definite failure: the beneficiary was not paid; approve the reversal instead.' },
  approver_is_requester: { status: 403, message: 'The requester of a reversal may not approve it.' },
  manager_approval_required: { status: 403, message: 'A reversal above the high-value threshold needs a manager\'s approval.' },
  rate_limited: { status: 429, message: 'Too many requests.' },
  processor_declined: { status: 502, message: 'The processor declined the request.' },
  processor_error: { status: 502, message: 'The processor could not handle the request.' },
  transfer_failed: { status: 502, message: 'The transfer failed at the receiving bank or the switch.' },
  internal_error: { status: 500, message: 'Something went wrong on our side. Retry with the same Idempotency-Key or transaction_id to learn the outcome.' },
  not_ready: { status: 503, message: 'The service is not ready.' },
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof errorCatalog;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCatalog, code);
}

/** Renders a refusal in the seeds' body shape: message and status, plus error code and field. */
export function errorReply(code: string, field?: string, detail?: string): Reply {
  const entry: CatalogEntry = isErrorCode(code) ? errorCatalog[code] : errorCatalog.internal_error;
  const error: JsonObject = { code: isErrorCode(code) ? code : 'internal_error' };
  if (field !== undefined) error['field'] = field;
  if (detail !== undefined) error['detail'] = detail;
  const message = detail === undefined ? entry.message : `${entry.message.replace(/\.$/, '')}: ${field === undefined ? '' : `${field} `}${detail}.`;
  return { statusCode: entry.status, body: { message, status: 'error', error } };
}

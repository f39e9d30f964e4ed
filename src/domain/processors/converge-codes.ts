// The code table for Elavon Converge (P3): what Converge's result messages, txnquery
// statuses and error codes mean as one canonical outcome. Replies are read by the same
// reader as the simulator's (readConvergeReply), so the two cannot read Converge's shape
// differently; only the codes differ, because Converge's real messages and numeric
// error codes are not the simulator's.
//
// Sources: Converge's published XML API (result messages, txnquery statuses) and its
// error-code list (3000–5xxx). A code not listed here is an unknown outcome: pending,
// asked again, escalated to a person after the requery limit — never guessed.
import { defineCodeTable, type CodeRule, type NormalizationTable } from './normalize.ts';
import { readConvergeReply } from './simulator-codes.ts';
import { approved, declined, error, pending, txnqueryStatusRules, unknownCode } from './code-rules.ts';

export const convergeProcessorId = 'converge';

const configurationError = error('processor_configuration', false, 'The processor refused this deployment\'s credentials or permissions; nothing was charged.');

const convergeCodes: Readonly<Record<string, CodeRule>> = {
  '0:APPROVAL': approved,
  '0:APPROVED': approved,
  // Partial approval is only given when the request asks for it (ssl_partial_auth_indicator),
  // which this adapter never does; should one arrive anyway, a person decides.
  '0:PARTIAL APPROVAL': pending('partial_approval', 'The processor approved only part of the amount; the payment needs a person to look at it.'),
  // Any other approval or settled status for an amount that is not ours (the adapter
  // compares ssl_amount): never settled automatically; asked again, then a person decides.
  amount_mismatch: pending('amount_mismatch', 'The processor reports a different amount than the one asked for; the payment needs a person to look at it.'),
  '1:DECLINED': declined('declined', 'The card issuer declined the payment.'),
  '1:DECLINED: NSF': declined('insufficient_funds', 'The card issuer declined the payment: insufficient funds.'),
  '1:DECLINED CVV2': declined('cvv_mismatch', 'The card issuer declined the payment: the security code did not match.'),
  '1:PICK UP CARD': declined('pick_up_card', 'The card issuer declined the payment and asked for the card to be kept.'),
  '1:CALL AUTH CENTER': declined('call_issuer', 'The card issuer declined the payment and asks the cardholder to call them.'),
  '1:EXPIRED CARD': declined('expired_card', 'The card issuer declined the payment: the card has expired.'),
  '1:INVALID CARD': declined('invalid_card', 'The card issuer declined the payment: the card is not valid.'),
  '1:SERV NOT ALLOWED': declined('service_not_allowed', 'The card issuer does not allow this kind of payment on the card.'),
  '1:AMOUNT ERROR': declined('amount_error', 'The processor declined the amount.'),
  // txnquery statuses of an approved transaction (ssl_result '0').
  ...txnqueryStatusRules,
  // The error envelope. 3000 and 4017 say the gateway gave up waiting for the card
  // network, so whether the issuer approved is unknown: asked again, never assumed.
  'error:3000': pending('processor_no_response', 'The processor\'s gateway got no answer from the card network; the outcome will be asked for again.'),
  'error:4017': pending('processor_timeout', 'The processor timed out handling the request; the outcome will be asked for again.'),
  'error:3001': error('processor_error', true, 'The processor failed to handle the request; it may succeed if sent again.'),
  'error:3002': error('processor_error', true, 'The processor failed to handle the request; it may succeed if sent again.'),
  'error:3003': error('processor_error', true, 'The processor failed to handle the request; it may succeed if sent again.'),
  'error:4022': error('processor_unavailable', true, 'The processor is unavailable; the request may succeed if sent again.'),
  'error:4000': configurationError,
  'error:4013': configurationError,
  'error:4014': configurationError,
  'error:4016': configurationError,
  'error:4019': configurationError,
  'error:4025': configurationError,
  'error:4009': error('invalid_request', false, 'The processor found a required field missing; nothing was charged.'),
  'error:4010': error('invalid_request', false, 'The processor did not accept the transaction type; nothing was charged.'),
  'error:5000': error('invalid_card_number', false, 'The processor rejected the card number as invalid.'),
  'error:5001': error('invalid_expiry', false, 'The processor rejected the card\'s expiry date as invalid.'),
  'error:5040': error('invalid_reference', false, 'The processor has no transaction under that reference for this request.'),
};

export const convergeCodeTable = defineCodeTable({
  readReply: readConvergeReply,
  codes: convergeCodes,
  unknownCode,
});

export const convergeNormalizationTable: NormalizationTable = new Map([[convergeProcessorId, convergeCodeTable]]);

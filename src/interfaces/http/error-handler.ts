// Turns every failure that reaches Fastify into a catalog error: validation problems are a
// 400 naming the field and the reason, never a 500; unexpected errors are logged with
// their stack and answered without detail.
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { sendError } from './send.ts';
import { InvalidCursorError } from '../../app/ports/store.ts';

type Issue = { keyword: string; instancePath: string; message: string; params: Record<string, unknown> };

/**
 * A run of 12 or more digits, spaces or dashes allowed between them: what a card number
 * looks like. A 400 names the field and the reason, and both can carry what the client
 * sent (an unknown key, the value a schema refused), so such runs never leave in them.
 */
const cardLike = /[0-9](?:[ -]?[0-9]){11,}/g;

function withoutCardNumbers(text: string): string {
  return text.replace(cardLike, '[redacted]');
}

function fieldOf(issue: Issue): string {
  const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const keys = issue.params['keys'];
  if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys) && typeof keys[0] === 'string') {
    return path === '' ? keys[0] : `${path}.${keys[0]}`;
  }
  return path;
}

/** A schema problem on an amount or currency field gets that field's own code. */
function codeFor(field: string): string {
  if (/(^|\.)amount$/.test(field)) return 'invalid_amount';
  if (/(^|\.|_)currency$/.test(field)) return 'invalid_currency';
  if (field === 'fx_rate') return 'invalid_fx_rate';
  if (field.startsWith('card.')) return 'invalid_card';
  if (field === 'idempotency-key') return 'invalid_idempotency_key';
  return 'invalid_request';
}

function reasonFor(issue: Issue): string {
  if (issue.keyword === 'unrecognized_keys') return 'is not a known field';
  if (issue.keyword === 'invalid_type' && /received undefined/.test(issue.message)) return 'is required';
  return issue.message.length > 200 ? `${issue.message.slice(0, 200)}…` : issue.message;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issue = error.validation[0] as unknown as Issue;
      const field = withoutCardNumbers(fieldOf(issue));
      return sendError(reply, codeFor(field), field === '' ? error.validationContext ?? 'body' : field, withoutCardNumbers(reasonFor(issue)));
    }
    if ((error as Error) instanceof InvalidCursorError) return sendError(reply, 'invalid_request', 'cursor', 'is not a cursor this service handed out');
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendError(reply, 'malformed_json', 'body', 'is not valid JSON');
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, 'body_too_large', 'body', `is larger than ${app.initialConfig.bodyLimit ?? 0} bytes`);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendError(reply, 'unsupported_media_type', 'content-type');
      default:
        break;
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, 'invalid_request', undefined, error.message.slice(0, 200));
    }
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 'internal_error');
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, 'route_not_found'));
}

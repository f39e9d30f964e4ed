// Sends use-case answers: a reply, a stored reply (byte for byte, marked when replayed)
// or a refusal rendered through the error catalog.
import type { FastifyReply } from 'fastify';
import type { Result } from '../../domain/result.ts';
import type { Reply, StoredReply } from '../../app/shared/reply.ts';
import { errorReply } from '../error-catalog.ts';

export function sendReply(reply: FastifyReply, answer: Reply): FastifyReply {
  return reply.code(answer.statusCode).type('application/json; charset=utf-8').send(JSON.stringify(answer.body));
}

export function sendStored(reply: FastifyReply, answer: StoredReply): FastifyReply {
  if (answer.replayed) void reply.header('idempotency-replayed', 'true');
  return reply.code(answer.statusCode).type('application/json; charset=utf-8').send(answer.bodyText);
}

export function sendError(reply: FastifyReply, code: string, field?: string, detail?: string): FastifyReply {
  return sendReply(reply, errorReply(code, field, detail));
}

export function sendResult(reply: FastifyReply, result: Result<Reply | StoredReply>): FastifyReply {
  if (!result.ok) return sendError(reply, result.code, result.field, result.detail);
  return 'bodyText' in result.value ? sendStored(reply, result.value) : sendReply(reply, result.value);
}

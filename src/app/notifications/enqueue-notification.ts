// Use cases call this to announce an event: it returns the record to add to the SAME
// changeset as the event (the transactional outbox), so a notification exists exactly
// when its event committed. The template is rendered once here to refuse bad data early.
import type { TenantId } from '../../domain/ids.ts';
import { renderTemplate, type TemplateName } from '../../domain/notifications/notification-templates.ts';
import { ok, refuse, type Result } from '../../domain/result.ts';
import { invariant } from '../../domain/invariant.ts';
import type { IdGenerator } from '../ports/clock.ts';
import type { Audience } from '../ports/notification-channel.ts';
import type { JsonObject, RecordWrite } from '../ports/store.ts';
import { notificationWrite } from './notification-record.ts';

export type NotificationRequest = {
  readonly audience: Audience;
  /** The customer's id, phone or address for customers; absent for operations. */
  readonly recipient?: string;
  readonly template: TemplateName;
  readonly data: JsonObject;
  readonly source: string;
};

export function enqueueNotification(
  ids: IdGenerator,
  tenantId: TenantId,
  at: number,
  request: NotificationRequest,
): Result<RecordWrite, 'invalid_notification_data'> {
  if (request.audience === 'customer' && (request.recipient === undefined || request.recipient === '')) {
    return refuse('invalid_notification_data', 'recipient', 'a customer notification needs a recipient');
  }
  const rendered = renderTemplate(request.template, request.data);
  if (!rendered.ok) return rendered;
  return ok(notificationWrite({
    tenantId, id: ids.next('ntf'), version: 1, audience: request.audience, recipient: request.recipient ?? null,
    template: request.template, data: request.data, source: request.source, status: 'due', attempts: 0,
    nextAttemptAt: at, leaseUntil: null, lastError: null, createdAt: at, deliveredAt: null,
  }, 0));
}

/** For use cases that build the data themselves: data a template refuses is a bug. */
export function notificationRecord(ids: IdGenerator, tenantId: TenantId, at: number, request: NotificationRequest): RecordWrite {
  const write = enqueueNotification(ids, tenantId, at, request);
  invariant(write.ok, `notification ${request.template} refused its data: ${write.ok ? '' : write.field ?? write.detail ?? ''}`);
  return write.value;
}

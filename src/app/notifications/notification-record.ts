// A notification is a versioned record written in the same changeset as the event it
// announces (the transactional outbox, N1), carrying its own delivery state: due (waiting
// or retrying), sending (claimed by a runner until its lease ends), delivered, or dead.
// Due and sending notifications are listed under one index key; dead ones under another.
import type { TenantId } from '../../domain/ids.ts';
import type { JsonObject, RecordWrite, StoredRecord } from '../ports/store.ts';
import { audiences, type Audience } from '../ports/notification-channel.ts';
import { invariant } from '../../domain/invariant.ts';
import { isTemplateName, type TemplateName } from '../../domain/notifications/notification-templates.ts';

export const notificationKind = 'notification';
export const dueIndexKey = 'notification:due';
export const deadIndexKey = 'notification:dead';

export type NotificationStatus = 'due' | 'sending' | 'delivered' | 'dead';

export type Notification = {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly version: number;
  readonly audience: Audience;
  /** Null for operations: the deployment's operations recipient at delivery time. */
  readonly recipient: string | null;
  readonly template: TemplateName;
  readonly data: JsonObject;
  /** What caused it (`reversal:TXR-2026-000001`), for people reading the queue. */
  readonly source: string;
  readonly status: NotificationStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly leaseUntil: number | null;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly deliveredAt: number | null;
};

function indexKeyOf(status: NotificationStatus): string | undefined {
  switch (status) {
    case 'due':
    case 'sending':
      return dueIndexKey;
    case 'dead':
      return deadIndexKey;
    case 'delivered':
      return undefined;
  }
}

export function notificationWrite(notification: Notification, expectedVersion: number): RecordWrite {
  const indexKey = indexKeyOf(notification.status);
  return {
    kind: notificationKind,
    id: notification.id,
    expectedVersion,
    ...(indexKey === undefined ? {} : { indexKey }),
    body: {
      audience: notification.audience,
      recipient: notification.recipient,
      template: notification.template,
      data: notification.data,
      source: notification.source,
      status: notification.status,
      attempts: notification.attempts,
      next_attempt_at: notification.nextAttemptAt,
      lease_until: notification.leaseUntil,
      last_error: notification.lastError,
      created_at: notification.createdAt,
      delivered_at: notification.deliveredAt,
    },
  };
}

function text(body: JsonObject, field: string): string {
  const value = body[field];
  invariant(typeof value === 'string', `notification.${field} is not a string`);
  return value;
}

function integer(body: JsonObject, field: string): number {
  const value = body[field];
  invariant(typeof value === 'number' && Number.isSafeInteger(value), `notification.${field} is not an integer`);
  return value;
}

function nullable<T>(body: JsonObject, field: string, read: (body: JsonObject, field: string) => T): T | null {
  return body[field] === null ? null : read(body, field);
}

function statusOf(value: string): NotificationStatus {
  invariant(value === 'due' || value === 'sending' || value === 'delivered' || value === 'dead', `notification status ${value}`);
  return value;
}

export function notificationFromRecord(record: StoredRecord): Notification {
  invariant(record.kind === notificationKind, `record ${record.kind} is not a notification`);
  const { body } = record;
  const audience = audiences.find((candidate) => candidate === body['audience']);
  const template = text(body, 'template');
  const data = body['data'];
  invariant(audience !== undefined, 'notification.audience is unknown');
  invariant(isTemplateName(template), `notification template ${template} is unknown`);
  invariant(typeof data === 'object' && data !== null && !Array.isArray(data), 'notification.data is not an object');
  return {
    tenantId: record.tenantId, id: record.id, version: record.version, audience,
    recipient: nullable(body, 'recipient', text), template, data,
    source: text(body, 'source'), status: statusOf(text(body, 'status')),
    attempts: integer(body, 'attempts'), nextAttemptAt: integer(body, 'next_attempt_at'),
    leaseUntil: nullable(body, 'lease_until', integer), lastError: nullable(body, 'last_error', text),
    createdAt: integer(body, 'created_at'), deliveredAt: nullable(body, 'delivered_at', integer),
  };
}

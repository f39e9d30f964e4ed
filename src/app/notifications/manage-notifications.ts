// Operations' view of the notification queue (N1): what is waiting or retrying, what went
// to the dead letter and why, and sending a dead notification again (audited).
import { ok, refuse, type Result } from '../../domain/result.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { decideAndCommit } from '../shared/commit.ts';
import type { Dependencies } from '../dependencies.ts';
import type { JsonObject, PageRequest } from '../ports/store.ts';
import type { Reply } from '../shared/reply.ts';
import { deadIndexKey, dueIndexKey, notificationFromRecord, notificationKind, notificationWrite, type Notification } from './notification-record.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export type QueueName = 'due' | 'dead';

function time(at: number | null): string | null {
  return at === null ? null : new Date(at).toISOString();
}

/** Never the rendered text: recipients and templates are enough to find a message. */
export function notificationView(notification: Notification): JsonObject {
  return {
    notification_id: notification.id, audience: notification.audience, recipient: notification.recipient,
    template: notification.template, source: notification.source, status: notification.status,
    attempts: notification.attempts, next_attempt_at: time(notification.status === 'due' ? notification.nextAttemptAt : null),
    last_error: notification.lastError, created_at: time(notification.createdAt), delivered_at: time(notification.deliveredAt),
  };
}

export async function listNotifications(deps: Dependencies, principal: TenantPrincipal, queue: QueueName, page: PageRequest): Promise<Result<Reply, never>> {
  const listed = await deps.store.listRecords(principal.tenantId, notificationKind, { ...page, indexKey: queue === 'due' ? dueIndexKey : deadIndexKey });
  return ok({
    statusCode: 200,
    body: { message: 'Notifications found.', status: queue, data: listed.items.map((record) => notificationView(notificationFromRecord(record))), next_cursor: listed.nextCursor },
  });
}

/** Puts a dead notification back in the queue with a fresh count of attempts. */
export async function retryNotification(
  deps: Dependencies, principal: TenantPrincipal, notificationId: string,
): Promise<Result<Reply, 'notification_not_found' | 'notification_not_dead' | 'conflict' | 'insufficient_funds'>> {
  return decideAndCommit(deps.store, async () => {
    const record = await deps.store.getRecord(principal.tenantId, notificationKind, notificationId);
    if (record === null) return refuse('notification_not_found', 'id');
    const notification = notificationFromRecord(record);
    if (notification.status !== 'dead') return refuse('notification_not_dead', 'id', `the notification is ${notification.status}`);
    const at = deps.clock.now();
    const requeued: Notification = { ...notification, version: notification.version + 1, status: 'due', attempts: 0, nextAttemptAt: at, leaseUntil: null };
    const audit = await buildAuditEntry(deps, principal.tenantId, at, {
      stream: `notification:${notification.id}`, action: 'notification.requeued', initiator: initiatorOf(principal),
      status: 'due', reason: notification.lastError ?? 'requeued',
    });
    const reply: Reply = { statusCode: 200, body: { message: 'The notification will be sent again.', status: 'due', notification: notificationView(requeued) } };
    return { ok: true, value: reply, changeset: { tenantId: principal.tenantId, at, records: [notificationWrite(requeued, notification.version)], audit: [audit] } };
  });
}

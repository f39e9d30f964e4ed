// The delivery job (N1): sends due notifications through their audience's channel, with
// retries and backoff, and moves those that cannot be delivered to the dead letter. A
// runner first claims a notification (a versioned write with a lease), so two runners
// never send it at once; a runner that dies mid-send leaves the lease to expire and the
// next run sends again under the same idempotency key — at least once, recognizably.
import { afterFailure, deliveryLeaseMs } from '../../domain/notifications/delivery-schedule.ts';
import { renderTemplate } from '../../domain/notifications/notification-templates.ts';
import { invariant } from '../../domain/invariant.ts';
import type { Dependencies } from '../dependencies.ts';
import type { DeliveryResult, NotificationRouting } from '../ports/notification-channel.ts';
import { visitIndexed } from '../shared/visit-indexed.ts';
import { countItemError, noItemErrors, type ItemErrors } from '../shared/item-errors.ts';
import { describeFailure } from '../shared/describe-failure.ts';
import { dueIndexKey, notificationFromRecord, notificationKind, notificationWrite, type Notification } from './notification-record.ts';

export const deliveryBatchMax = 100;

export type DeliveryReport = {
  examined: number; delivered: number; retrying: number; dead: number; claimedElsewhere: number;
} & ItemErrors;

type JobDependencies = Pick<Dependencies, 'store' | 'clock'>;

function isReady(notification: Notification, now: number): boolean {
  if (notification.status === 'due') return notification.nextAttemptAt <= now;
  return notification.status === 'sending' && (notification.leaseUntil ?? 0) <= now;
}

export async function deliverNotifications(deps: JobDependencies, routing: NotificationRouting, options: { limit?: number } = {}): Promise<DeliveryReport> {
  invariant(routing.sendTimeoutMs < deliveryLeaseMs, 'a send must end before its lease does');
  const report: DeliveryReport = { examined: 0, delivered: 0, retrying: 0, dead: 0, claimedElsewhere: 0, ...noItemErrors() };
  const limit = Math.min(options.limit ?? deliveryBatchMax, deliveryBatchMax);
  await visitIndexed(deps.store, { kind: notificationKind, indexKey: dueIndexKey, limit }, async (record) => {
    // Each notification on its own: one that cannot be read (a template an older release
    // wrote and this one no longer knows) or delivered is counted and left where it is,
    // and the job goes on with every notification after it, in every tenant. An unreadable
    // record is not moved to the dead letter: the dead-letter list could not show it either.
    let notification: Notification;
    try {
      notification = notificationFromRecord(record);
    } catch (error) {
      countItemError(report, record.tenantId, record.id, error);
      return false;
    }
    if (!isReady(notification, deps.clock.now())) return false;
    report.examined++;
    try {
      await deliverOne(deps, routing, notification, report);
    } catch (error) {
      countItemError(report, record.tenantId, record.id, error);
    }
    return true;
  });
  return report;
}

/** Claims the notification for this runner: the lease makes a concurrent runner skip it. */
export async function claimNotification(deps: JobDependencies, notification: Notification): Promise<Notification | null> {
  const now = deps.clock.now();
  const claimed: Notification = { ...notification, version: notification.version + 1, status: 'sending', attempts: notification.attempts + 1, leaseUntil: now + deliveryLeaseMs };
  const committed = await deps.store.commit({ tenantId: notification.tenantId, at: now, records: [notificationWrite(claimed, notification.version)] });
  if (committed.ok) return claimed;
  invariant(committed.conflict.kind === 'version', `claiming a notification: ${committed.conflict.kind}`);
  return null;
}

async function deliverOne(deps: JobDependencies, routing: NotificationRouting, notification: Notification, report: DeliveryReport): Promise<void> {
  const claimed = await claimNotification(deps, notification);
  if (claimed === null) {
    report.claimedElsewhere++;
    return;
  }
  const result = await send(routing, claimed);
  const now = deps.clock.now();
  let next: Notification;
  if (result.ok) {
    next = { ...claimed, version: claimed.version + 1, status: 'delivered', leaseUntil: null, lastError: null, deliveredAt: now };
    report.delivered++;
  } else {
    const after = afterFailure(claimed.id, claimed.attempts, result, now);
    next = after.next === 'retry'
      ? { ...claimed, version: claimed.version + 1, status: 'due', nextAttemptAt: after.nextAttemptAt, leaseUntil: null, lastError: result.reason }
      : { ...claimed, version: claimed.version + 1, status: 'dead', leaseUntil: null, lastError: after.reason };
    if (after.next === 'retry') report.retrying++;
    else report.dead++;
  }
  const recorded = await deps.store.commit({ tenantId: claimed.tenantId, at: now, records: [notificationWrite(next, claimed.version)] });
  // A version conflict means the lease ran out and another runner took over: its outcome stands.
  invariant(recorded.ok || recorded.conflict.kind === 'version', 'recording a delivery outcome');
}

async function send(routing: NotificationRouting, notification: Notification): Promise<DeliveryResult> {
  const channel = notification.audience === 'customer' ? routing.customer : routing.operations;
  const recipient = notification.recipient ?? (notification.audience === 'operations' ? routing.operationsRecipient : null);
  if (recipient === null) return { ok: false, retryable: false, reason: 'the notification has no recipient' };
  const rendered = renderTemplate(notification.template, notification.data);
  // Data this release's template refuses (written by an older release, or edited) will
  // never render: a failure no retry mends, so it goes to the dead letter with its reason.
  if (!rendered.ok) return { ok: false, retryable: false, reason: `its data cannot be rendered by the ${notification.template} template (${rendered.detail ?? rendered.code})` };
  try {
    return await channel.send({
      notificationId: notification.id, idempotencyKey: notification.id, tenantId: notification.tenantId,
      audience: notification.audience, recipient, template: notification.template,
      subject: rendered.value.subject, text: rendered.value.text, data: notification.data,
      createdAt: notification.createdAt, attempt: notification.attempts,
    }, AbortSignal.timeout(routing.sendTimeoutMs));
  } catch (error) {
    return { ok: false, retryable: true, reason: describeFailure(error) };
  }
}

// The Lambda entry points, one per function of the deployed stack (see lambda-contract.ts):
// each opens the container's root on its first invocation and reuses it while warm.
import type { Context } from 'aws-lambda';
import { warmLambdaRoot } from './lambda-root.ts';
import { httpHandlerFor } from './http-handler.ts';
import { refundHandlerFor } from './refund-handler.ts';
import { scheduledHandlerFor, type JobResult } from './scheduled-handler.ts';
import type { ProxyResult } from './proxy-event.ts';
import { auditQueueHandlerFor, type BatchResponse } from './audit-queue-handler.ts';
import type { JobName } from '../jobs/background-jobs.ts';

/** The whole HTTP API behind API Gateway (payload v1 or v2). */
export async function http(event: unknown, context?: Context): Promise<ProxyResult> {
  return httpHandlerFor(await warmLambdaRoot())(event, context);
}

/** The seed's Refund Processing Lambda: the refund route only. */
export async function refund(event: unknown, context?: Context): Promise<ProxyResult> {
  const root = await warmLambdaRoot();
  return refundHandlerFor(root.app, root.observability)(event, context);
}

function scheduled(job: JobName): (event: unknown, context?: Context) => Promise<JobResult> {
  return async (event, context) => scheduledHandlerFor(await warmLambdaRoot(), job)(event, context);
}

export const requeryPayments = scheduled('requery-payments');
export const requeryRefunds = scheduled('requery-refunds');
export const requeryTransfers = scheduled('requery-transfers');
export const detectFailures = scheduled('detect-failures');
export const escalateDisputes = scheduled('escalate-disputes');
export const deliverNotifications = scheduled('deliver-notifications');
export const sealAuditCheckpoints = scheduled('seal-audit-checkpoints');
export const reconcileRealTime = scheduled('reconcile-real-time');
export const reconcileEod = scheduled('reconcile-eod');
export const backup = scheduled('backup');
export const relayAudit = scheduled('relay-audit');

/** The SQS FIFO audit queue's consumer: a partial batch response. */
export async function auditQueueConsumer(event: unknown, context?: Context): Promise<BatchResponse> {
  return auditQueueHandlerFor(await warmLambdaRoot())(event, context);
}

// The consumer of the SQS FIFO audit queue (A4): an SQS event in, the partial batch
// response out (`batchItemFailures`, with ReportBatchItemFailures on the event source
// mapping). Records are applied in the order SQS delivered them; a failed record and the
// later records of its message group are handed back, so SQS delivers them again in order.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { consumeAuditMessages } from '../../app/audit/consume-audit-queue.ts';
import type { OrderedAuditSink } from '../../app/ports/audit-sink.ts';
import { StoreAuditSink } from '../../adapters/audit-sink/store-audit-sink.ts';
import { metricNames } from './lambda-contract.ts';
import type { LambdaRoot } from './lambda-root.ts';
import { instrumented } from './observability.ts';

const sqsEventSchema = z.looseObject({
  Records: z.array(z.looseObject({
    messageId: z.string().min(1),
    body: z.string(),
    eventSource: z.literal('aws:sqs'),
    attributes: z.looseObject({ MessageGroupId: z.string().min(1) }),
  })),
});

export type BatchResponse = { readonly batchItemFailures: readonly { readonly itemIdentifier: string }[] };
export type AuditQueueHandler = (event: unknown, context?: Context) => Promise<BatchResponse>;

export class NotAnSqsFifoEventError extends Error {
  override readonly name = 'NotAnSqsFifoEventError';
}

/** `sink`: where entries go; the store's `audit_export` records unless a test says otherwise. */
export function auditQueueHandlerFor(root: Pick<LambdaRoot, 'runtime' | 'observability'>, sink: OrderedAuditSink = new StoreAuditSink(root.runtime.deps)): AuditQueueHandler {
  const { logger, metrics } = root.observability;
  return (event, context) => instrumented(root.observability, context, async () => {
    const parsed = sqsEventSchema.safeParse(event);
    // Only the event source mapping invokes this function: anything else is a deployment mistake, and fails loudly.
    if (!parsed.success) throw new NotAnSqsFifoEventError('not an SQS FIFO event (records with a MessageGroupId)');
    const report = await consumeAuditMessages(sink, parsed.data.Records.map((record) => ({
      id: record.messageId, groupId: record.attributes.MessageGroupId, body: record.body,
    })));
    metrics.addMetric(metricNames.auditApplied, MetricUnit.Count, report.applied);
    metrics.addMetric(metricNames.auditDuplicate, MetricUnit.Count, report.duplicates);
    metrics.addMetric(metricNames.auditRetried, MetricUnit.Count, report.failed.length);
    const summary = { received: parsed.data.Records.length, applied: report.applied, duplicates: report.duplicates, retried: report.failed.length };
    if (report.failed.length === 0) logger.info('audit batch applied', summary);
    else logger.warn('audit batch partly handed back', { ...summary, gaps: report.gaps, unreadable: report.unreadable, errors: report.errors, errorReasons: report.errorReasons });
    return { batchItemFailures: report.failed.map((id) => ({ itemIdentifier: id })) };
  });
}

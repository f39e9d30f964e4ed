// The consumer of the ordered audit queue (A4): applies one received batch to the ordered
// sink, each message group in order. When a message cannot be applied (unreadable, a gap
// before it, a conflict, an error), it and every later message of its group in the batch
// are reported failed, so the queue delivers them again, in the same order, after the
// visibility timeout; the other groups go on. Duplicates are acknowledged.
import type { OrderedAuditSink } from '../ports/audit-sink.ts';
import { describeFailure } from '../shared/describe-failure.ts';
import { auditGroupId, readAuditMessage } from './audit-message.ts';

export type ReceivedMessage = { readonly id: string; readonly groupId: string; readonly body: string };

export type ConsumeReport = {
  applied: number;
  duplicates: number;
  /** Message ids to receive again: each failure and the rest of its group in the batch. */
  failed: string[];
  gaps: number;
  unreadable: number;
  errors: number;
  /** Why applying failed, for the log: the first few, without credentials. */
  errorReasons: string[];
};

const errorReasonsMax = 5;

type Outcome = 'applied' | 'duplicate' | 'gap' | 'conflict' | 'unreadable' | 'error';

async function applyOne(sink: OrderedAuditSink, message: ReceivedMessage, report: ConsumeReport): Promise<Outcome> {
  const decoded = readAuditMessage(message.body);
  // A message whose record belongs to another group would be ordered against the wrong stream.
  if (decoded === null || auditGroupId(decoded.record.tenantId, decoded.record.stream) !== message.groupId) return 'unreadable';
  try {
    return await sink.apply(decoded.record, { detailsOmitted: decoded.detailsOmitted });
  } catch (error) {
    if (report.errorReasons.length < errorReasonsMax) report.errorReasons.push(describeFailure(error));
    return 'error';
  }
}

export async function consumeAuditMessages(sink: OrderedAuditSink, messages: readonly ReceivedMessage[]): Promise<ConsumeReport> {
  const report: ConsumeReport = { applied: 0, duplicates: 0, failed: [], gaps: 0, unreadable: 0, errors: 0, errorReasons: [] };
  const blocked = new Set<string>();
  for (const message of messages) {
    if (blocked.has(message.groupId)) {
      report.failed.push(message.id);
      continue;
    }
    const outcome = await applyOne(sink, message, report);
    if (outcome === 'applied') report.applied++;
    else if (outcome === 'duplicate') report.duplicates++;
    else {
      if (outcome === 'gap') report.gaps++;
      else if (outcome === 'unreadable') report.unreadable++;
      else report.errors++;
      blocked.add(message.groupId);
      report.failed.push(message.id);
    }
  }
  return report;
}

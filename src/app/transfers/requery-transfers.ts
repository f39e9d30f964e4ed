// The transfer status-query job (V3): transfers whose outcome is unknown are asked about
// (TSQ) when their backoff has passed, never guessed. A switch with no record of the
// transfer (25) gets it again under the same idempotency key, so it cannot pay twice.
// Each answer is committed by settle-transfer.ts: success credits (even late), a definite
// failure is reversed, unknown waits longer, and the attempt limit escalates.
import type { Dependencies } from '../dependencies.ts';
import { visitLongestWaiting } from '../shared/visit-indexed.ts';
import { noItemErrors, type ItemErrors } from '../shared/item-errors.ts';
import { queryTransfer, sendTransfer } from './ask-rail.ts';
import { applyTransferAnswer } from './settle-transfer.ts';
import { pendingTransferIndexKey, transferFromRecord, transferKind, type MoneyTransfer } from './transfer-record.ts';

export const transferRequeryBatchMax = 100;
export const requeryInitiator = 'system:requery';

export type TransferRequeryReport = { examined: number; succeeded: number; failed: number; stillPending: number; escalated: number };
/** A run of the job: the counts, and the transfers whose requery threw. */
export type TransferRequeryRunReport = TransferRequeryReport & ItemErrors;

export function emptyRequeryReport(): TransferRequeryReport {
  return { examined: 0, succeeded: 0, failed: 0, stillPending: 0, escalated: 0 };
}

export async function requeryPendingTransfers(deps: Dependencies, options: { limit?: number; olderThanMs?: number } = {}): Promise<TransferRequeryRunReport> {
  const report: TransferRequeryRunReport = { ...emptyRequeryReport(), ...noItemErrors() };
  const limit = Math.min(options.limit ?? transferRequeryBatchMax, transferRequeryBatchMax);
  // The transfers whose backoff ended longest ago go first, in every tenant, so a long list
  // of unknown outcomes cannot keep the ones after its first hundred from being asked about.
  // Each transfer on its own: one that cannot be read or settled is counted and left
  // pending for the next run, and the job goes on with the transfers after it.
  await visitLongestWaiting(deps.store, { kind: transferKind, indexKey: pendingTransferIndexKey, limit }, report, (record) => {
    const transfer = transferFromRecord(record);
    const dueAt = Math.max(transfer.nextQueryAt, transfer.createdAt + (options.olderThanMs ?? 0));
    return dueAt <= deps.clock.now() ? { dueAt, item: transfer } : null;
  }, async (transfer) => {
    report.examined++;
    await requeryTransfer(deps, transfer, report);
  });
  return report;
}

/** One status query (and, if the switch never saw it, one resend under the same key). */
export async function requeryTransfer(deps: Dependencies, transfer: MoneyTransfer, report: TransferRequeryReport, initiator = requeryInitiator): Promise<void> {
  let answer = await queryTransfer(deps, transfer);
  if (answer.outcome.code === 'not_found') answer = await sendTransfer(deps, transfer);
  const settled = await applyTransferAnswer(deps, transfer, answer, { countsAsRequery: true, initiator });
  if (!settled.ok) return;
  switch (settled.value.status) {
    case 'TRANSFER-SUCCESS': report.succeeded++; break;
    case 'TRANSFER-FAILED':
    case 'TRANSFER-REVERSED': report.failed++; break;
    case 'TRANSFER-ESCALATED': report.escalated++; break;
    case 'TRANSFER-PENDING': report.stillPending++; break;
  }
}

// Reading refunds (A2: audited like every ledger read): one refund by its transaction id
// with its own PaymentLedger entries, or every refund of a payment, oldest first.
import { ok, refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { recordRead } from '../audit/audited-read.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import type { Reply } from '../shared/reply.ts';
import { paymentFromRecord, paymentKind } from '../payments/payment-record.ts';
import { refundFromRecord, refundKind } from './refund-record.ts';
import { refundView } from './refund-view.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export async function getRefund(deps: Dependencies, principal: TenantPrincipal, refundId: string): Promise<Result<Reply, 'refund_not_found'>> {
  const record = await deps.store.getRecord(principal.tenantId, refundKind, refundId);
  if (record === null) return refuse('refund_not_found', 'refund_transaction_id');
  const refund = refundFromRecord(record);
  const entries = await deps.store.listLedgerEntries(principal.tenantId, refundId);
  const view = {
    ...refundView(refund),
    entries: entries.map((entry) => ({ sequence: entry.sequence, status: entry.status, at: new Date(entry.at).toISOString(), transfer_ids: [...entry.transferIds], details: entry.details })),
  };
  await recordRead(deps, {
    tenantId: principal.tenantId, initiator: initiatorOf(principal), stream: `txn:${refund.transactionId}`,
    action: 'refund.read', transactionId: refund.transactionId, query: { refund_transaction_id: refundId }, response: view,
  });
  return ok({ statusCode: 200, body: { message: 'Refund found.', ...view } });
}

export async function listPaymentRefunds(deps: Dependencies, principal: TenantPrincipal, transactionId: string): Promise<Result<Reply, 'payment_not_found'>> {
  const record = await deps.store.getRecord(principal.tenantId, paymentKind, transactionId);
  if (record === null) return refuse('payment_not_found', 'transaction_id');
  const payment = paymentFromRecord(record);
  const refunds = await Promise.all(payment.refundIds.map((id) => deps.store.getRecord(principal.tenantId, refundKind, id)));
  const data = refunds.flatMap((stored) => stored === null ? [] : [refundView(refundFromRecord(stored))]);
  await recordRead(deps, {
    tenantId: principal.tenantId, initiator: initiatorOf(principal), stream: `txn:${transactionId}`,
    action: 'refund.list', transactionId, query: { transaction_id: transactionId }, response: data,
  });
  return ok({ statusCode: 200, body: { message: 'Refunds found.', status: payment.status, transaction_id: transactionId, data, next_cursor: null } });
}

// Reading a payment and its PaymentLedger (A2: both reads are audited). The ledger view
// lists every status entry and every journal transfer of the transaction.
import { ok, refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { recordRead } from '../audit/audited-read.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import type { Reply } from '../shared/reply.ts';
import { transferView } from '../accounts/account-view.ts';
import { paymentFromRecord, paymentKind } from './payment-record.ts';
import { paymentDetailView } from './payment-view.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export async function getPayment(
  deps: Dependencies,
  principal: TenantPrincipal,
  transactionId: string,
): Promise<Result<Reply, 'payment_not_found'>> {
  const record = await deps.store.getRecord(principal.tenantId, paymentKind, transactionId);
  if (record === null) return refuse('payment_not_found', 'transaction_id');
  const body = paymentDetailView(paymentFromRecord(record));
  await recordRead(deps, {
    tenantId: principal.tenantId, initiator: initiatorOf(principal), stream: `txn:${transactionId}`,
    action: 'payment.read', transactionId, query: { transaction_id: transactionId }, response: body,
  });
  return ok({ statusCode: 200, body });
}

export async function getPaymentLedger(
  deps: Dependencies,
  principal: TenantPrincipal,
  transactionId: string,
): Promise<Result<Reply, 'payment_not_found'>> {
  const record = await deps.store.getRecord(principal.tenantId, paymentKind, transactionId);
  if (record === null) return refuse('payment_not_found', 'transaction_id');
  const payment = paymentFromRecord(record);
  const [entries, transfers] = await Promise.all([
    deps.store.listLedgerEntries(principal.tenantId, transactionId),
    deps.store.listTransactionTransfers(principal.tenantId, transactionId),
  ]);
  const body = {
    message: 'PaymentLedger entries found.',
    status: payment.status,
    transaction_id: transactionId,
    entries: entries.map((entry) => ({
      sequence: entry.sequence,
      status: entry.status,
      at: new Date(entry.at).toISOString(),
      transfer_ids: [...entry.transferIds],
      details: entry.details,
    })),
    transfers: transfers.map((transfer) => transferView(transfer)),
  };
  await recordRead(deps, {
    tenantId: principal.tenantId, initiator: initiatorOf(principal), stream: `txn:${transactionId}`,
    action: 'ledger.read', transactionId, query: { transaction_id: transactionId }, response: body,
  });
  return ok({ statusCode: 200, body });
}

// Reading a transfer (A2: audited like every ledger read): its state and its own
// PaymentLedger entries (TRANSFER-PENDING → SUCCESS | FAILED → REVERSED | ESCALATED).
import { ok, refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { recordRead } from '../audit/audited-read.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import type { Reply } from '../shared/reply.ts';
import { transferFromRecord, transferKind } from './transfer-record.ts';
import { transferView } from './transfer-view.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export async function getTransfer(deps: Dependencies, principal: TenantPrincipal, reference: string): Promise<Result<Reply, 'transfer_not_found'>> {
  const record = await deps.store.getRecord(principal.tenantId, transferKind, reference);
  if (record === null) return refuse('transfer_not_found', 'reference');
  const transfer = transferFromRecord(record);
  const entries = await deps.store.listLedgerEntries(principal.tenantId, reference);
  const view = {
    ...transferView(transfer),
    entries: entries.map((entry) => ({ sequence: entry.sequence, status: entry.status, at: new Date(entry.at).toISOString(), transfer_ids: [...entry.transferIds], details: entry.details })),
  };
  await recordRead(deps, {
    tenantId: principal.tenantId, initiator: initiatorOf(principal), stream: `txn:${reference}`, action: 'transfer.read',
    transactionId: reference, query: { reference }, response: view,
  });
  return ok({ statusCode: 200, body: { message: 'Transfer found.', ...view } });
}

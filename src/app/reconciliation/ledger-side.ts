// Our side of a reconciliation (V6): the transfers made in a window, read from the Lagos
// hour buckets they are listed under once they have an outcome, plus the transfers still
// waiting for one; and for each, what its debit leg became in the journal.
import type { TenantId } from '../../domain/ids.ts';
import { expectedLeg, type LedgerTransfer, type LegState } from '../../domain/reconciliation/matcher.ts';
import type { Dependencies } from '../dependencies.ts';
import type { Store } from '../ports/store.ts';
import { recordsUnder } from '../shared/visit-indexed.ts';
import { createdHourIndexKey, pendingTransferIndexKey, transferFromRecord, transferKind, type MoneyTransfer } from '../transfers/transfer-record.ts';

const hourMs = 60 * 60_000;
const pageSize = 200;

/** Made after `fromAt` and up to `toAt`; `allPending`: every transfer still waiting, whenever it was made. */
export type LedgerWindow = { readonly fromAt: number; readonly toAt: number; readonly allPending: boolean };

async function* listed(store: Store, tenantId: TenantId, indexKey: string): AsyncGenerator<MoneyTransfer> {
  for await (const record of recordsUnder(store, tenantId, transferKind, indexKey, pageSize)) yield transferFromRecord(record);
}

/** Each transfer of the window once (a transfer settling while we read is seen in one list or both). */
export async function* transfersInWindow(store: Store, tenantId: TenantId, window: LedgerWindow): AsyncGenerator<MoneyTransfer> {
  const seen = new Set<string>();
  const inWindow = (transfer: MoneyTransfer): boolean => transfer.createdAt > window.fromAt && transfer.createdAt <= window.toAt;
  for await (const transfer of listed(store, tenantId, pendingTransferIndexKey)) {
    if (!(window.allPending ? transfer.createdAt <= window.toAt : inWindow(transfer))) continue;
    seen.add(transfer.reference);
    yield transfer;
  }
  if (window.toAt <= window.fromAt) return;
  const lastHour = createdHourIndexKey(window.toAt);
  for (let at = window.fromAt + 1; ; at += hourMs) {
    const key = createdHourIndexKey(Math.min(at, window.toAt));
    for await (const transfer of listed(store, tenantId, key)) {
      if (!inWindow(transfer) || seen.has(transfer.reference)) continue;
      seen.add(transfer.reference);
      yield transfer;
    }
    if (key === lastHour) return;
  }
}

/** What the transfer's debit leg became in the journal, and the amount the journal line holds for it. */
async function legOf(store: Store, transfer: MoneyTransfer): Promise<{ readonly leg: LegState; readonly amountMinor: bigint }> {
  if (transfer.receiver.kind === 'account') {
    const posted = await store.getTransfer(transfer.tenantId, transfer.journalTransferId);
    return { leg: posted?.kind === 'posted' ? 'posted' : 'held', amountMinor: posted?.amountMinor ?? 0n };
  }
  const resolution = await store.getPendingResolution(transfer.tenantId, transfer.journalTransferId);
  if (resolution !== null) return { leg: resolution.kind === 'post_pending' ? 'posted' : 'voided', amountMinor: resolution.amountMinor };
  const hold = await store.getTransfer(transfer.tenantId, transfer.journalTransferId);
  return { leg: 'held', amountMinor: hold?.amountMinor ?? 0n };
}

function ledgerTransfer(transfer: MoneyTransfer, leg: { readonly leg: LegState; readonly amountMinor: bigint }): LedgerTransfer {
  return {
    reference: transfer.reference, status: transfer.status, amountMinor: transfer.amountMinor, currency: transfer.currency,
    createdAt: transfer.createdAt, interbank: transfer.receiver.kind === 'bank', leg: leg.leg, legAmountMinor: leg.amountMinor,
  };
}

/**
 * The transfer with its leg. A leg that disagrees with the status is read again once:
 * the transfer may have settled between the two reads.
 */
export async function withLeg(deps: Pick<Dependencies, 'store'>, transfer: MoneyTransfer): Promise<{ transfer: MoneyTransfer; ledger: LedgerTransfer }> {
  const leg = await legOf(deps.store, transfer);
  if (leg.leg === expectedLeg(transfer.status)) return { transfer, ledger: ledgerTransfer(transfer, leg) };
  const record = await deps.store.getRecord(transfer.tenantId, transferKind, transfer.reference);
  const current = record === null ? transfer : transferFromRecord(record);
  return { transfer: current, ledger: ledgerTransfer(current, await legOf(deps.store, current)) };
}

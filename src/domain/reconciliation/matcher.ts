// Reconciliation matching (V6), pure: (1) the ledger against itself — every transfer's
// debit leg (the hold on the sender, or the posted debit of an internal transfer) has the
// outcome its status says (posted to the receiver, voided back to the sender, or still
// held), a hold with no outcome after the grace period is an orphaned debit, and per
// currency what was debited equals what was credited, returned and still held; (2) the
// ledger against a settlement statement — missing on either side, amount differs, status
// differs, and references the statement lists twice. Money is integer minor units.
import type { CurrencyCode } from '../money/currencies.ts';
import type { Statement, StatementRow } from './settlement-statement.ts';

/** What the debit leg of a transfer became in the journal. */
export type LegState = 'held' | 'posted' | 'voided';
export type OurStatus = 'TRANSFER-PENDING' | 'TRANSFER-SUCCESS' | 'TRANSFER-FAILED' | 'TRANSFER-REVERSED' | 'TRANSFER-ESCALATED';

export type LedgerTransfer = {
  readonly reference: string;
  readonly status: OurStatus;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly createdAt: number;
  /** To another bank (on the settlement statement) or between accounts here. */
  readonly interbank: boolean;
  readonly leg: LegState;
  /**
   * What the journal holds for the debit leg, read from the journal itself: the hold's
   * amount while held, the posted or voided amount once resolved. The transfer record says
   * `amountMinor`; the two must agree, and the sums below compare them.
   */
  readonly legAmountMinor: bigint;
};

export const mismatchKinds = [
  'missing_ours', 'missing_theirs', 'amount_differs', 'status_differs', 'duplicate_theirs', 'orphaned_debit', 'legs_disagree', 'sums_differ',
] as const;
export type MismatchKind = (typeof mismatchKinds)[number];

export type Side = { readonly amountMinor: bigint; readonly currency: CurrencyCode; readonly status: string };
export type Mismatch = {
  readonly kind: MismatchKind;
  /** The transfer reference, or the currency for `sums_differ`. */
  readonly reference: string;
  readonly ours?: Side;
  readonly theirs?: Side & { readonly line: number };
  readonly detail: string;
};

/** Per currency, over the transfers checked: debited = credited + returned + held. */
export type CurrencySums = { debitedMinor: bigint; creditedMinor: bigint; returnedMinor: bigint; heldMinor: bigint };

/** The leg each status must have: success posted, reversed voided, anything else still held. */
export function expectedLeg(status: OurStatus): LegState {
  if (status === 'TRANSFER-SUCCESS') return 'posted';
  if (status === 'TRANSFER-REVERSED') return 'voided';
  return 'held';
}

/** How a status compares with a statement's: our five statuses on their three outcomes. */
export function comparableStatus(status: string): 'successful' | 'failed' | 'pending' {
  switch (status) {
    case 'TRANSFER-SUCCESS':
    case 'successful': return 'successful';
    case 'TRANSFER-FAILED':
    case 'TRANSFER-REVERSED':
    case 'failed':
    case 'reversed': return 'failed';
    default: return 'pending';
  }
}

function ours(transfer: LedgerTransfer): Side {
  return { amountMinor: transfer.amountMinor, currency: transfer.currency, status: transfer.status };
}

function theirs(row: StatementRow): Side & { line: number } {
  return { amountMinor: row.amountMinor, currency: row.currency, status: row.status, line: row.line };
}

/** Checks and sums one transfer's legs. */
export class LedgerCheck {
  readonly sums = new Map<CurrencyCode, CurrencySums>();
  checked = 0;
  readonly #now: number;
  readonly #graceMs: number;

  constructor(now: number, graceMs: number) {
    this.#now = now;
    this.#graceMs = graceMs;
  }

  add(transfer: LedgerTransfer, found: (mismatch: Mismatch) => void): void {
    this.checked++;
    let sums = this.sums.get(transfer.currency);
    if (sums === undefined) {
      sums = { debitedMinor: 0n, creditedMinor: 0n, returnedMinor: 0n, heldMinor: 0n };
      this.sums.set(transfer.currency, sums);
    }
    // Debited: what the transfer records say was sent; credited, returned or held: what the
    // journal moved. They differ only where a record and its journal lines disagree.
    sums.debitedMinor += transfer.amountMinor;
    if (transfer.leg === 'posted') sums.creditedMinor += transfer.legAmountMinor;
    else if (transfer.leg === 'voided') sums.returnedMinor += transfer.legAmountMinor;
    else sums.heldMinor += transfer.legAmountMinor;
    const expected = expectedLeg(transfer.status);
    if (transfer.legAmountMinor !== transfer.amountMinor) {
      found({ kind: 'legs_disagree', reference: transfer.reference, ours: ours(transfer), detail: `the transfer is for ${transfer.amountMinor} but its journal leg moved ${transfer.legAmountMinor} (minor units)` });
    } else if (transfer.leg !== expected) {
      found({ kind: 'legs_disagree', reference: transfer.reference, ours: ours(transfer), detail: `the transfer is ${transfer.status} but its debit is ${transfer.leg}, not ${expected}` });
    } else if (transfer.status === 'TRANSFER-PENDING' && this.#now - transfer.createdAt >= this.#graceMs) {
      found({ kind: 'orphaned_debit', reference: transfer.reference, ours: ours(transfer), detail: 'the debit has no outcome after the grace period' });
    }
  }

  /** Sum mismatches, one per currency whose debits are not all accounted for. */
  finish(found: (mismatch: Mismatch) => void): void {
    for (const [currency, sums] of this.sums) {
      if (sums.debitedMinor !== sums.creditedMinor + sums.returnedMinor + sums.heldMinor) {
        found({ kind: 'sums_differ', reference: currency, detail: `debited ${sums.debitedMinor} ≠ credited ${sums.creditedMinor} + returned ${sums.returnedMinor} + held ${sums.heldMinor} (minor units)` });
      }
    }
  }
}

/**
 * Compares our inter-bank transfers with the statement. `ours` must hold each reference
 * once. Calls `found` for every mismatch, in our order then the statement's.
 */
export function compareWithStatement(transfers: Iterable<LedgerTransfer>, statement: Statement, found: (mismatch: Mismatch) => void): { matched: number } {
  const seen = new Set<string>();
  let matched = 0;
  for (const transfer of transfers) {
    if (!transfer.interbank) continue;
    seen.add(transfer.reference);
    const row = statement.rows.get(transfer.reference);
    if (row === undefined) {
      found({ kind: 'missing_theirs', reference: transfer.reference, ours: ours(transfer), detail: 'in our ledger, not in the statement' });
      continue;
    }
    let differs = false;
    if (row.amountMinor !== transfer.amountMinor || row.currency !== transfer.currency) {
      differs = true;
      found({ kind: 'amount_differs', reference: transfer.reference, ours: ours(transfer), theirs: theirs(row), detail: 'the amounts differ' });
    }
    const [mine, their] = [comparableStatus(transfer.status), comparableStatus(row.status)];
    if (mine !== their) {
      differs = true;
      found({ kind: 'status_differs', reference: transfer.reference, ours: ours(transfer), theirs: theirs(row), detail: `ours ${mine}, theirs ${their}` });
    }
    if (!differs) matched++;
  }
  for (const row of statement.rows.values()) {
    if (!seen.has(row.reference)) found({ kind: 'missing_ours', reference: row.reference, theirs: theirs(row), detail: 'in the statement, not in our ledger' });
  }
  for (const row of statement.duplicates) {
    found({ kind: 'duplicate_theirs', reference: row.reference, theirs: theirs(row), detail: `listed again on line ${row.line}` });
  }
  return { matched };
}

// Specification of reconciliation matching (V6): the strict settlement CSV (bad rows are
// refused with line and column, amounts exact), every mismatch kind, duplicates in the
// statement, and the ledger's own legs and sums.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linesOf, readStatement, statementHeader, type Statement } from './settlement-statement.ts';
import { compareWithStatement, LedgerCheck, type LedgerTransfer, type Mismatch } from './matcher.ts';

const day = '2026-11-27';
const row = (reference: string, amount = '1500.00', status = 'successful', extra = ''): string => `${reference},${amount},NGN,${status},${day},999,S${reference.replace(/[^A-Za-z0-9]/g, '')}${extra}`;

function statementOf(...rows: string[]): Statement {
  const read = readStatement(linesOf([statementHeader, ...rows].join('\r\n') + '\r\n'), day);
  assert.ok(read.ok, read.ok ? '' : read.detail);
  return read.value;
}

function ours(reference: string, overrides: Partial<LedgerTransfer> = {}): LedgerTransfer {
  const amountMinor = overrides.amountMinor ?? 150_000n;
  return { reference, status: 'TRANSFER-SUCCESS', amountMinor, currency: 'NGN', createdAt: 0, interbank: true, leg: 'posted', legAmountMinor: amountMinor, ...overrides };
}

function compare(transfers: LedgerTransfer[], statement: Statement): Mismatch[] {
  const found: Mismatch[] = [];
  compareWithStatement(transfers, statement, (mismatch) => found.push(mismatch));
  return found;
}

describe('settlement statement', () => {
  it('reads amounts exactly as integer minor units', () => {
    const statement = statementOf(row('A', '0.10'), row('B', '1234567890123.99'), row('C', '7'));
    assert.equal(statement.rows.get('A')?.amountMinor, 10n);
    assert.equal(statement.rows.get('B')?.amountMinor, 123456789012399n);
    assert.equal(statement.rows.get('C')?.amountMinor, 700n);
    assert.equal(statement.rows.get('A')?.line, 2);
  });

  const refusals: [string, string[], string, number][] = [
    ['a wrong header', ['reference,amount'], 'statement.header', 1],
    ['an empty statement', [], 'statement.header', 1],
    ['a missing field', [statementHeader, 'A,1.00,NGN,successful,2026-11-27,999'], 'statement.row', 2],
    ['a quote', [statementHeader, row('A'), '"B",1.00,NGN,successful,2026-11-27,999,'], 'statement.row', 3],
    ['a float-like amount', [statementHeader, row('A', '1e3')], 'statement.amount', 2],
    ['too many decimals', [statementHeader, row('A', '1.005')], 'statement.amount', 2],
    ['a negative amount', [statementHeader, row('A', '-1.00')], 'statement.amount', 2],
    ['an unknown currency', [statementHeader, 'A,1.00,XYZ,successful,2026-11-27,999,'], 'statement.currency', 2],
    ['an unknown status', [statementHeader, row('A', '1.00', 'ok')], 'statement.status', 2],
    ['another day', [statementHeader, 'A,1.00,NGN,successful,2026-11-28,999,'], 'statement.value_date', 2],
    ['a bad bank code', [statementHeader, 'A,1.00,NGN,successful,2026-11-27,9x,'], 'statement.bank_code', 2],
    ['a bad reference', [statementHeader, 'A B,1.00,NGN,successful,2026-11-27,999,'], 'statement.reference', 2],
  ];
  for (const [name, lines, field, line] of refusals) {
    it(`refuses ${name} with its line and column`, () => {
      const read = readStatement(lines, day);
      assert.ok(!read.ok);
      assert.equal(read.code, 'invalid_statement');
      assert.equal(read.field, field);
      assert.match(read.detail ?? '', new RegExp(`^line ${line}: `));
    });
  }

  it('keeps a reference listed twice apart as a duplicate', () => {
    const statement = statementOf(row('A'), row('A', '1500.00', 'failed'));
    assert.equal(statement.rows.get('A')?.status, 'successful');
    assert.deepEqual(statement.duplicates.map((duplicate) => duplicate.line), [3]);
    assert.deepEqual(compare([ours('A')], statement).map((m) => [m.kind, m.theirs?.line]), [['duplicate_theirs', 3]]);
  });

  it('tolerates a byte-order mark, CRLF and blank lines', () => {
    const read = readStatement(linesOf(`\uFEFF${statementHeader}\r\n${row('A')}\r\n\r\n${row('B')}`), day);
    assert.ok(read.ok);
    assert.equal(read.value.rows.size, 2);
  });
});

describe('compareWithStatement', () => {
  it('finds each mismatch kind, and nothing where both sides agree', () => {
    const statement = statementOf(row('match'), row('theirs-only'), row('amount', '1500.01'), row('status', '1500.00', 'failed'), row('reversed', '1500.00', 'reversed'));
    const found = compare([
      ours('match'), ours('ours-only'), ours('amount'), ours('status'), ours('reversed', { status: 'TRANSFER-REVERSED', leg: 'voided' }),
      ours('internal', { interbank: false }),
    ], statement);
    assert.deepEqual(found.map((m) => [m.kind, m.reference]), [
      ['missing_theirs', 'ours-only'], ['amount_differs', 'amount'], ['status_differs', 'status'], ['missing_ours', 'theirs-only'],
    ]);
    const status = found.find((m) => m.kind === 'status_differs');
    assert.deepEqual([status?.ours?.status, status?.theirs?.status, status?.theirs?.line], ['TRANSFER-SUCCESS', 'failed', 5]);
  });

  it('reports amount and status separately when both differ', () => {
    const found = compare([ours('both', { status: 'TRANSFER-PENDING', leg: 'held' })], statementOf(row('both', '1.00', 'failed')));
    assert.deepEqual(found.map((m) => m.kind), ['amount_differs', 'status_differs']);
  });
});

describe('LedgerCheck', () => {
  it('finds orphaned debits after the grace period and legs that disagree with the status', () => {
    const check = new LedgerCheck(10_000, 5_000);
    const found: Mismatch[] = [];
    for (const transfer of [
      ours('ok'), ours('young', { status: 'TRANSFER-PENDING', leg: 'held', createdAt: 6_000 }), ours('old', { status: 'TRANSFER-PENDING', leg: 'held', createdAt: 5_000 }),
      ours('reversed-but-held', { status: 'TRANSFER-REVERSED', leg: 'held' }), ours('manual', { status: 'TRANSFER-FAILED', leg: 'held' }),
    ]) check.add(transfer, (m) => found.push(m));
    check.finish((m) => found.push(m));
    assert.deepEqual(found.map((m) => [m.kind, m.reference]), [['orphaned_debit', 'old'], ['legs_disagree', 'reversed-but-held']]);
    assert.deepEqual(check.sums.get('NGN'), { debitedMinor: 750_000n, creditedMinor: 150_000n, returnedMinor: 0n, heldMinor: 600_000n });
    assert.equal(check.checked, 5);
  });

  it('reports a transfer whose journal leg moved another amount than it says, and its currency\'s sums', () => {
    const check = new LedgerCheck(0, 0);
    const found: Mismatch[] = [];
    check.add(ours('a', { currency: 'USD' }), (m) => found.push(m));
    check.add(ours('short', { currency: 'USD', legAmountMinor: 149_999n }), (m) => found.push(m));
    check.add(ours('held-short', { currency: 'NGN', status: 'TRANSFER-PENDING', leg: 'held', legAmountMinor: 1n, createdAt: 0 }), (m) => found.push(m));
    check.finish((m) => found.push(m));
    assert.deepEqual(found.map((m) => [m.kind, m.reference]), [['legs_disagree', 'short'], ['legs_disagree', 'held-short'], ['sums_differ', 'USD'], ['sums_differ', 'NGN']]);
    assert.deepEqual(check.sums.get('USD'), { debitedMinor: 300_000n, creditedMinor: 299_999n, returnedMinor: 0n, heldMinor: 0n });
  });
});

// `npm run bench:reconciliation` (issue 6 point 10): reconciles N generated transfers
// (default 1,000,000) against an N-row generated settlement statement written to a
// temporary file, through the same reader and matcher the service uses
// (src/domain/reconciliation), with a known sprinkle of every mismatch kind that the run
// must find exactly (exit 1 otherwise). The baseline, measured in the same run on the same
// file, is only reading the file's lines (readline); the ratio says what parsing and
// matching cost on top of I/O. Then, unless --e2e 0, a smaller end-to-end figure: E
// transfers made through the real use cases on the embedded SQLite store, reconciled by
// the batch run (reading the records and their journal legs, writing the log).
// Times are printed, never asserted.
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { compareWithStatement, LedgerCheck, type LedgerTransfer, type MismatchKind } from '../src/domain/reconciliation/matcher.ts';
import { readStatementStream, statementHeader } from '../src/domain/reconciliation/settlement-statement.ts';
import { lagosDateOf } from '../src/domain/timelines/lagos-dates.ts';
import { formatAmount } from '../src/domain/money/money.ts';
import { createAccount } from '../src/app/accounts/accounts.ts';
import { createTransfer } from '../src/app/transfers/create-transfer.ts';
import { runReconciliation } from '../src/app/reconciliation/run-reconciliation.ts';
import { parseStatementText } from '../src/app/reconciliation/run-reconciliation.ts';
import { openBenchRuntime } from './bench-service.ts';
import { benchTenant } from './payments-in-process.ts';
import { runConcurrently } from './run-concurrently.ts';
import { describeMachine } from './report.ts';

const { values } = parseArgs({
  options: { transactions: { type: 'string', default: '1000000' }, e2e: { type: 'string', default: '20000' }, help: { type: 'boolean', default: false } },
});
if (values.help) {
  process.stdout.write('npm run bench:reconciliation -- [--transactions N (1000-5000000, default 1000000)] [--e2e E (0-200000, default 20000; 0 skips)]\n');
  process.exit(0);
}
const transactions = Number(values.transactions);
const e2eTransfers = Number(values.e2e);
if (!Number.isInteger(transactions) || transactions < 1000 || transactions > 5_000_000) throw new Error('--transactions must be a whole number from 1000 to 5000000');
if (!Number.isInteger(e2eTransfers) || e2eTransfers < 0 || e2eTransfers > 200_000) throw new Error('--e2e must be a whole number from 0 to 200000');

/** Every `sprinkleEvery`-th transfer carries one mismatch, the kinds in turn. */
const sprinkleEvery = 2_000;
const sprinkled = ['missing_theirs', 'amount_differs', 'status_differs', 'duplicate_theirs', 'missing_ours'] as const;
const day = lagosDateOf(Date.now());
const dayStart = Date.now();

function kindAt(index: number): (typeof sprinkled)[number] | null {
  return index % sprinkleEvery === 0 ? sprinkled[(index / sprinkleEvery) % sprinkled.length] ?? null : null;
}

function ours(index: number): LedgerTransfer {
  const amountMinor = BigInt(10_000 + (index % 9_973) * 7);
  return { reference: `TRF-${index}`, status: 'TRANSFER-SUCCESS', amountMinor, currency: 'NGN', createdAt: dayStart, interbank: true, leg: 'posted', legAmountMinor: amountMinor };
}

async function writeStatement(path: string, count: number): Promise<Record<MismatchKind, number>> {
  const expected = Object.fromEntries(sprinkled.map((kind) => [kind, 0])) as Record<MismatchKind, number>;
  const out = createWriteStream(path);
  const write = async (line: string): Promise<void> => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write(`${statementHeader}\n`);
  for (let index = 0; index < count; index++) {
    const transfer = ours(index);
    const kind = kindAt(index);
    let amount = transfer.amountMinor;
    let status = 'successful';
    if (kind !== null) expected[kind]++;
    if (kind === 'missing_theirs') continue;
    if (kind === 'amount_differs') amount += 1n;
    if (kind === 'status_differs') status = 'failed';
    const row = `,NGN,${status},${day},058,${index.toString().padStart(30, '0')}\n`;
    await write(`${transfer.reference},${formatAmount(amount, 'NGN')}${row}`);
    if (kind === 'duplicate_theirs') await write(`${transfer.reference},${formatAmount(amount, 'NGN')}${row}`);
    if (kind === 'missing_ours') await write(`THEIRS-${index},${formatAmount(amount, 'NGN')}${row}`);
  }
  out.end();
  await once(out, 'finish');
  return expected;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

async function memoryBench(directory: string): Promise<void> {
  const path = join(directory, 'statement.csv');
  const expected = await writeStatement(path, transactions);
  // Baseline: only reading the lines of the file.
  let started = performance.now();
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })) if (line.length > 0) lines++;
  const baselineMs = performance.now() - started;
  // The service's reader: every row checked and parsed to minor units.
  started = performance.now();
  const read = await readStatementStream(createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity }), day);
  const parseMs = performance.now() - started;
  if (!read.ok) throw new Error(`the generated statement was refused: ${read.field ?? ''} ${read.detail ?? ''}`);
  const ledger = Array.from({ length: transactions }, (_, index) => ours(index));
  // The matcher: legs and sums of every transfer, then the statement.
  started = performance.now();
  const found = Object.fromEntries(sprinkled.map((kind) => [kind, 0])) as Record<MismatchKind, number>;
  const other: string[] = [];
  const count = (mismatch: { kind: MismatchKind }): void => {
    if (mismatch.kind in found) found[mismatch.kind]++;
    else other.push(mismatch.kind);
  };
  const check = new LedgerCheck(Date.now(), 15 * 60_000);
  for (const transfer of ledger) check.add(transfer, count);
  check.finish(count);
  const { matched } = compareWithStatement(ledger, read.value, count);
  const matchMs = performance.now() - started;
  const totalMs = parseMs + matchMs;
  const verified = other.length === 0 && sprinkled.every((kind) => found[kind] === expected[kind]);
  const peakRssMib = process.resourceUsage().maxRSS / 1024;
  process.stdout.write([
    `reconciliation of ${transactions.toLocaleString('en')} transfers against a ${lines - 1}-row statement (${day})`,
    `  mismatches found: ${sprinkled.map((kind) => `${kind} ${found[kind]}/${expected[kind]}`).join(', ')}; matched ${matched}; ${verified ? 'all as planted' : `NOT as planted (other: ${other.slice(0, 5).join(', ')})`}`,
    `  baseline, reading the lines only: ${seconds(baselineMs)} s (${(baselineMs * 1000 / transactions).toFixed(2)} µs/transfer)`,
    `  reading and parsing the statement: ${seconds(parseMs)} s (${(parseMs * 1000 / transactions).toFixed(2)} µs/transfer)`,
    `  matching (legs, sums, statement): ${seconds(matchMs)} s (${(matchMs * 1000 / transactions).toFixed(2)} µs/transfer)`,
    `  total parse + match: ${seconds(totalMs)} s, ${(totalMs * 1000 / transactions).toFixed(2)} µs/transfer (seed target 100,000 µs); ${(totalMs / baselineMs).toFixed(2)} × the baseline`,
    `  peak RSS: ${peakRssMib.toFixed(0)} MiB`,
    '',
  ].join('\n'));
  if (!verified) process.exitCode = 1;
}

async function endToEnd(): Promise<void> {
  const bench = await openBenchRuntime();
  try {
    const { deps } = bench.runtime;
    const principal = await benchTenant(deps);
    for (const [accountId, type] of [['funding', 'suspense'], ['sender', 'customer']] as const) {
      const created = await createAccount(deps, principal, { accountId, type, currency: 'NGN', ...(type === 'suspense' ? { allowNegative: true } : {}) }, null);
      if (!created.ok) throw new Error(`account ${accountId}: ${created.code}`);
    }
    const funded = await createTransfer(deps, principal, { reference: 'funding', senderAccountId: 'funding', receiver: { accountId: 'sender' }, amount: '1000000000.00', currency: 'NGN' });
    if (!funded.ok) throw new Error(`funding: ${funded.code}`);
    let started = performance.now();
    await runConcurrently(e2eTransfers, 16, async (index) => {
      const made = await createTransfer(deps, principal, {
        reference: `E2E-${index}`, senderAccountId: 'sender', receiver: { bankCode: '999', accountNumber: '0123456700', accountName: 'Ada Obi' }, amount: '15.00', currency: 'NGN',
      });
      if (!made.ok) throw new Error(`transfer ${index}: ${made.code}`);
    }, () => undefined);
    const makeMs = performance.now() - started;
    const rows = [statementHeader];
    for (let index = 0; index < e2eTransfers; index++) if (index % 1000 !== 1) rows.push(`E2E-${index},${index % 1000 === 2 ? '15.01' : '15.00'},NGN,successful,${day},999,S${index}`);
    const statement = parseStatementText(rows.join('\n'), day);
    if (!statement.ok) throw new Error(`statement: ${statement.detail ?? ''}`);
    started = performance.now();
    const run = await runReconciliation(deps, principal.tenantId, { type: 'batch_eod', date: day, statement: statement.value });
    const runMs = performance.now() - started;
    if (!run.ok) throw new Error(`reconciliation: ${run.code}`);
    const log = run.value.body['reconciliation'] as Record<string, unknown>;
    process.stdout.write([
      `end to end on SQLite: ${e2eTransfers.toLocaleString('en')} inter-bank transfers made in ${seconds(makeMs)} s (not timed below)`,
      `  batch_eod with a statement: ${seconds(runMs)} s, ${(runMs * 1000 / Number(log['transactions_checked'])).toFixed(1)} µs/transfer checked`,
      `  checked ${String(log['transactions_checked'])}, mismatches ${JSON.stringify(log['mismatch_counts'])}`,
      `  peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
      '',
    ].join('\n'));
  } finally {
    await bench.close();
  }
}

process.stdout.write(`${describeMachine()}\n`);
const directory = mkdtempSync(join(tmpdir(), 'contra-bench-reconciliation-'));
try {
  await memoryBench(directory);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
if (e2eTransfers > 0) await endToEnd();

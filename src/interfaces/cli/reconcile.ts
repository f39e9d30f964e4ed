// `contra reconcile` (V6): the batch end-of-day reconciliation of one Lagos day (default
// yesterday) for every tenant, or one, optionally against a settlement statement file
// (which belongs to one tenant). The statement is read line by line from the file, with a
// progress bar on standard error, and refused as a whole at its first bad row before
// anything is written; then each tenant is reconciled and summed up on standard output.
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { batchDate, runReconciliation } from '../../app/reconciliation/run-reconciliation.ts';
import type { ReconciliationType } from '../../app/reconciliation/reconciliation-record.ts';
import { readStatementStream, type Statement } from '../../domain/reconciliation/settlement-statement.ts';
import { systemClock } from '../../adapters/system/system-clock.ts';
import { loadConfig, type Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import { openRuntime } from '../runtime.ts';
import { selectTenants } from './select-tenants.ts';

export type ReconcileOptions = { readonly date?: string; readonly statement?: string; readonly tenant?: string; readonly type: ReconciliationType };

/** Reads the statement file with a byte progress bar; a bad row is reported with its line and column. */
async function readStatementFile(path: string, date: string): Promise<Statement | null> {
  const bar = new SingleBar({ format: 'statement [{bar}] {percentage}% {lines} lines', stream: process.stderr }, Presets.shades_classic);
  bar.start(Math.max(statSync(path).size, 1), 0, { lines: 0 });
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  const read = await readStatementStream(lines, date, (line) => {
    if (line % 1000 === 0) bar.update(input.bytesRead, { lines: line });
  });
  input.destroy();
  bar.update(read.ok ? bar.getTotal() : input.bytesRead, { lines: read.ok ? read.value.rows.size + read.value.duplicates.length : 0 });
  bar.stop();
  if (read.ok) return read.value;
  process.stderr.write(`contra: the statement is refused: ${read.field ?? 'statement'}: ${read.detail ?? ''}\n`);
  return null;
}

/** Returns the exit code: 0 done, 1 refused (date, statement or a run already going), 2 unknown or unnamed tenant. */
export async function reconcile(config: Config, logger: Logger, options: ReconcileOptions): Promise<number> {
  if (options.type === 'real_time' && (options.date !== undefined || options.statement !== undefined)) {
    process.stderr.write('contra: --date and --statement belong to a batch_eod run\n');
    return 1;
  }
  const day = batchDate(systemClock.now(), options.date);
  if (!day.ok) {
    process.stderr.write(`contra: --date ${day.detail ?? 'is not valid'}\n`);
    return 1;
  }
  const statement = options.statement === undefined ? undefined : await readStatementFile(options.statement, day.value);
  if (statement === null) return 1;
  const runtime = await openRuntime(config, logger);
  try {
    const tenants = await selectTenants(runtime, options.tenant);
    if (tenants === null) return 2;
    if (statement !== undefined && tenants.length !== 1) {
      process.stderr.write('contra: a statement belongs to one tenant; name it with --tenant\n');
      return 2;
    }
    if (tenants.length === 0) process.stdout.write('reconciliation: no tenants\n');
    const bar = new SingleBar({ format: 'reconcile [{bar}] {value}/{total} tenants, {checked} transfers checked', stream: process.stderr }, Presets.shades_classic);
    bar.start(tenants.length, 0, { checked: 0 });
    let refused = 0;
    const lines: string[] = [];
    for (const tenantId of tenants) {
      const request = options.type === 'real_time' ? { type: options.type } : { type: options.type, date: day.value, ...(statement === undefined ? {} : { statement }) };
      const result = await runReconciliation(runtime.deps, tenantId, request, 'cli:reconcile', (checked) => { bar.update({ checked }); });
      bar.increment();
      if (!result.ok) {
        refused++;
        lines.push(`${tenantId}: refused, ${result.code}: ${result.detail ?? ''}`);
        continue;
      }
      const log = result.value.body['reconciliation'] as Record<string, unknown>;
      const counts = Object.entries(log['mismatch_counts'] as Record<string, number>).filter(([, count]) => count > 0).map(([kind, count]) => `${kind} ${count}`);
      lines.push(`${tenantId}: ${options.type} ${options.type === 'batch_eod' ? day.value : 'since the checkpoint'}: ${String(log['transactions_checked'])} transfers checked, `
        + `${String(log['mismatches_found'])} mismatches${counts.length === 0 ? '' : ` (${counts.join(', ')})`}, ${String(log['reversals_initiated'])} reversals initiated; log ${String(log['id'])}`);
    }
    bar.stop();
    process.stdout.write(lines.map((line) => `${line}\n`).join(''));
    return refused === 0 ? 0 : 1;
  } finally {
    await runtime.close();
  }
}

export function registerReconcileCommand(program: Command): void {
  program.command('reconcile')
    .description('Reconcile one Lagos day (default yesterday) for every tenant, or one, optionally against a settlement statement CSV (V6).')
    .option('--date <YYYY-MM-DD>', 'the Lagos business day (default yesterday)')
    .option('--statement <file.csv>', 'the settlement statement of that day (one tenant: use --tenant)')
    .option('--tenant <id>', 'only this tenant')
    .option('--real-time', 'run the real-time reconciliation since the checkpoint instead')
    .action(async (options: { date?: string; statement?: string; tenant?: string; realTime?: boolean }) => {
      const config = loadConfig();
      process.exitCode = await reconcile(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel), {
        type: options.realTime === true ? 'real_time' : 'batch_eod',
        ...(options.date === undefined ? {} : { date: options.date }),
        ...(options.statement === undefined ? {} : { statement: options.statement }),
        ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
      });
    });
}

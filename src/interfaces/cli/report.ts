// `contra report` (T6, D2): the CBN reversal report of one month for every tenant, or one —
// live figures while a draft, the frozen ones once submitted — as JSON lines (one report
// per tenant) or as CSV (one header, one row per tenant, the tenant first). It reads only:
// submitting stays an API action (POST …/compliance/cbn/:id/submit), which is audited
// under the person who submits.
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { Presets, SingleBar } from 'cli-progress';
import { cbnReportOf } from '../../app/compliance/cbn-reports.ts';
import { platformTenantId } from '../../domain/ids.ts';
import { loadConfig, type Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import { cbnReportCsvColumns, csvCell, reportCsvCells } from '../report-csv.ts';
import { openRuntime } from '../runtime.ts';
import { selectTenants } from './select-tenants.ts';

export type ReportOptions = { readonly period: string; readonly tenant?: string; readonly csv: boolean };

/** Returns the exit code: 0 done, 1 a bad period, 2 an unknown tenant. */
export async function report(config: Config, logger: Logger, options: ReportOptions): Promise<number> {
  if (!/^\d{4}-\d{2}$/.test(options.period)) {
    process.stderr.write('contra: --period must be a month YYYY-MM\n');
    return 1;
  }
  const runtime = await openRuntime(config, logger);
  try {
    const selected = await selectTenants(runtime, options.tenant);
    if (selected === null) return 2;
    // The platform's own records (the bootstrap token, failed logins) are no bank's: no report.
    const tenants = selected.filter((tenantId) => tenantId !== platformTenantId);
    const bar = new SingleBar({ format: 'report [{bar}] {value}/{total} tenants', stream: process.stderr }, Presets.shades_classic);
    bar.start(tenants.length, 0);
    const lines: string[] = options.csv ? [['tenant_id', ...cbnReportCsvColumns].join(',')] : [];
    for (const tenantId of tenants) {
      const result = await cbnReportOf(runtime.deps, tenantId, options.period);
      bar.increment();
      if (!result.ok) {
        bar.stop();
        process.stderr.write(`contra: --period ${result.detail ?? 'is not valid'}\n`);
        return 1;
      }
      const { message: _message, ...body } = result.value.body;
      lines.push(options.csv ? [csvCell(tenantId), ...reportCsvCells(body)].join(',') : JSON.stringify({ tenant_id: tenantId, ...body }));
    }
    bar.stop();
    process.stdout.write(lines.map((line) => `${line}${options.csv ? '\r\n' : '\n'}`).join(''));
    return 0;
  } finally {
    await runtime.close();
  }
}

export function registerReportCommand(program: Command): void {
  program.command('report')
    .description('Print the CBN reversal report of a month for every tenant, or one (D2): JSON lines, or CSV with --csv.')
    .requiredOption('--period <YYYY-MM>', 'the month, in Lagos time')
    .option('--tenant <id>', 'only this tenant')
    .option('--csv', 'CSV: one header row, one row per tenant')
    .action(async (options: { period: string; tenant?: string; csv?: boolean }) => {
      const config = loadConfig();
      process.exitCode = await report(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel), {
        period: options.period, csv: options.csv === true, ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
      });
    });
}

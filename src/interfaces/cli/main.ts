// The `contra` command (T6): serve, migrate, verify-audit, detect, reconcile, report, backup, restore, demo. Each
// command builds the same runtime from the same configuration as the server.
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, ConfigError } from '../config.ts';
import { createLogger } from '../logger.ts';
import { serve } from './serve.ts';
import { detect, migrate, verifyAudit } from './maintenance.ts';
import { demo } from './demo.ts';
import { backup, restore } from './backup.ts';
import { registerReconcileCommand } from './reconcile.ts';
import { registerReportCommand } from './report.ts';

/**
 * A count option: a whole number of at least 1. Anything else is refused on the command
 * line (exit 1), instead of silently becoming NaN (a demo tenant with no payments).
 */
function positiveCount(value: string): number {
  const count = /^[0-9]{1,9}$/.test(value) ? Number(value) : 0;
  if (count < 1) throw new InvalidArgumentError('It must be a whole number of at least 1.');
  return count;
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command()
    .name('contra')
    .description('Payments ledger with refunds, reversals, reconciliation, disputes and a verifiable audit trail.')
    .showHelpAfterError();
  program.command('serve').description('Serve the HTTP API and run the scheduler.').action(async () => {
    const config = loadConfig();
    await serve(config, createLogger(config.logLevel));
  });
  program.command('migrate').description('Create or upgrade the store schema.').action(async () => {
    const config = loadConfig();
    await migrate(config, createLogger(config.logLevel));
  });
  program.command('verify-audit')
    .description('Verify the audit trail hash chains and checkpoints of every tenant (exit 1 if broken).')
    .option('--tenant <id>', 'only this tenant')
    .action(async (options: { tenant?: string }) => {
      const config = loadConfig();
      process.exitCode = await verifyAudit(config, createLogger(config.logLevel), options.tenant);
    });
  program.command('backup')
    .description('Back up the audit trail and refund records of every tenant (or one), incrementally, to the configured target.')
    .option('--tenant <id>', 'only this tenant')
    .action(async (options: { tenant?: string }) => {
      const config = loadConfig();
      process.exitCode = await backup(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel), options);
    });
  program.command('restore')
    .description('Restore a tenant from its backups into this store (which must not hold it), then check the chain head.')
    .requiredOption('--tenant <id>', 'the tenant to restore')
    .option('--from <folder>', 'a backup folder instead of the configured target')
    .action(async (options: { tenant: string; from?: string }) => {
      const config = loadConfig();
      process.exitCode = await restore(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel), options);
    });
  program.command('detect')
    .description('Run failure detection once: status-query orphaned debits, flag glitch bursts (V2).')
    .option('--tenant <id>', 'only this tenant')
    .action(async (options: { tenant?: string }) => {
      const config = loadConfig();
      process.exitCode = await detect(config, createLogger(config.logLevel), options.tenant);
    });
  registerReconcileCommand(program);
  registerReportCommand(program);
  program.command('demo')
    .description('Create a demo tenant and push simulated payments through the simulator.')
    .option('--payments <count>', 'how many payments', positiveCount, 200)
    .option('--concurrency <count>', 'payments in flight at once', positiveCount, 8)
    .action(async (options: { payments: number; concurrency: number }) => {
      const config = loadConfig();
      await demo(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel), options);
    });
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`contra: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}

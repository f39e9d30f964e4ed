// `contra backup` and `contra restore` (B1, T6): back up every tenant (or one) to the
// configured target, or restore a tenant from it (or from `--from <folder>`) into this
// store, which must not hold the tenant yet. Progress bars on standard error.
import { Presets, SingleBar } from 'cli-progress';
import type { Logger } from 'pino';
import { folderBlobStore } from '../../adapters/blob/folder-blob-store.ts';
import { RestoreError, restoreTenant } from '../../app/backups/restore-backup.ts';
import { backupTenant } from '../../app/backups/write-backup.ts';
import type { TenantId } from '../../domain/ids.ts';
import type { Config } from '../config.ts';
import { openRuntime } from '../runtime.ts';
import { selectTenants } from './select-tenants.ts';

/** Returns the exit code: 0 done, 2 unknown tenant. */
export async function backup(config: Config, logger: Logger, options: { tenant?: string }): Promise<number> {
  const runtime = await openRuntime(config, logger);
  try {
    const tenants = await selectTenants(runtime, options.tenant);
    if (tenants === null) return 2;
    const { blobs, settleMs } = runtime.backups;
    const bar = new SingleBar({ format: 'backup [{bar}] {value}/{total} tenants', stream: process.stderr }, Presets.shades_classic);
    bar.start(tenants.length, 0);
    const lines: string[] = [];
    for (const tenantId of tenants) {
      const report = await backupTenant(runtime.deps, blobs, tenantId, { settleMs });
      lines.push(`${tenantId}: ${report.auditRecords} audit records, ${report.records} records -> ${report.location}${tenantId}/${report.stamp} (chain head ${report.chainHead.heads_hash})`);
      bar.increment();
    }
    bar.stop();
    process.stdout.write(lines.map((line) => `${line}\n`).join(''));
    return 0;
  } finally {
    await runtime.close();
  }
}

/** Returns the exit code: 0 restored and verified, 1 refused (nothing or a broken backup). */
export async function restore(config: Config, logger: Logger, options: { tenant: string; from?: string }): Promise<number> {
  const runtime = await openRuntime(config, logger);
  try {
    const blobs = options.from === undefined ? runtime.backups.blobs : folderBlobStore(options.from);
    const bar = new SingleBar({ format: 'restore [{bar}] {value}/{total} backups, {records} audit records', stream: process.stderr }, Presets.shades_classic);
    let started = false;
    const report = await restoreTenant(runtime.deps, blobs, options.tenant as TenantId, (done) => {
      if (!started) {
        bar.start(done.of, 0, { records: 0 });
        started = true;
      }
      bar.update(done.backups, { records: done.auditRecords });
    });
    bar.stop();
    process.stdout.write(`${report.tenantId}: restored ${report.backups} backups, ${report.auditRecords} audit records, ${report.records} records; chain head ${report.chainHead.heads_hash}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof RestoreError)) throw error;
    process.stderr.write(`contra: ${error.message}\n`);
    return 1;
  } finally {
    await runtime.close();
  }
}

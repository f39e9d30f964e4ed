// Backups (B1) end to end: real payments and refunds through the HTTP API, backed up as
// gzip NDJSON with a manifest to a folder and to S3 (the s3rver emulator on 127.0.0.1),
// incrementally, then restored into an empty SQLite store where verify-audit finds the
// same chain head. Tampered files and broken chains stop a restore before it applies them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { startService, type TestService } from '../support/service.ts';
import { createTenant, type Tenant } from '../support/client.ts';
import { paid, refund } from '../support/refunds.ts';
import { folderBlobStore } from '../../src/adapters/blob/folder-blob-store.ts';
import { s3BlobStore } from '../../src/adapters/blob/s3-blob-store.ts';
import { openSqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import { systemClock } from '../../src/adapters/system/system-clock.ts';
import { backupTenant, listManifests, readManifest } from '../../src/app/backups/write-backup.ts';
import { restoreTenant } from '../../src/app/backups/restore-backup.ts';
import { verifyAuditTrail } from '../../src/app/audit/verify-audit.ts';
import { hashStreamHeads } from '../../src/domain/audit/audit-record.ts';
import type { BlobStore } from '../../src/app/ports/blob-store.ts';
import type { Store } from '../../src/app/ports/store.ts';
import type { TenantId } from '../../src/domain/ids.ts';

describe('backups', () => {
  let service: TestService;
  let tenant: Tenant;
  let tenantId: TenantId;
  const scratch = mkdtempSync(join(tmpdir(), 'contra-backup-'));
  const backup = (blobs: BlobStore) => backupTenant(service.runtime.deps, blobs, tenantId, { settleMs: 0 });

  async function restoreInto(blobs: BlobStore, name: string) {
    const store = await openSqliteStore({ path: join(scratch, `${name}.db`), clock: systemClock });
    await store.migrate();
    try {
      const report = await restoreTenant({ store, clock: systemClock }, blobs, tenantId);
      const verification = await verifyAuditTrail({ store }, tenantId);
      const headsHash = hashStreamHeads(await store.auditHeads(tenantId));
      const refunds = await store.listRecords(tenantId, 'refund', { limit: 50 });
      return { report, verification, headsHash, refunds: refunds.items.length };
    } finally {
      await store.close();
    }
  }

  before(async () => {
    service = await startService();
    tenant = await createTenant(service);
    tenantId = tenant.tenantId as TenantId;
    for (const id of ['bk-1', 'bk-2', 'bk-3']) await paid(service, tenant, id);
    assert.equal((await refund(service, tenant, 'bk-1', { amount: '40.00' })).status, 200);
  });
  after(async () => {
    await service.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('writes a full backup, then only what is new, and restores both to the same chain head', async () => {
    const blobs = folderBlobStore(join(scratch, 'folder'));
    const first = await backup(blobs);
    assert.ok(first.auditRecords > 10, `${first.auditRecords} audit records`);
    assert.equal(first.records, 2, 'the tenant and the refund');
    const manifest = await readManifest(blobs, (await listManifests(blobs, tenantId))[0] ?? '');
    assert.equal(manifest.previous, null);
    assert.equal(manifest.files.audit.count, first.auditRecords);
    assert.match(manifest.files.audit.sha256, /^[0-9a-f]{64}$/);

    await paid(service, tenant, 'bk-4');
    assert.equal((await refund(service, tenant, 'bk-2', {})).status, 200);
    const second = await backup(blobs);
    assert.ok(second.auditRecords > 0 && second.auditRecords < first.auditRecords, `${second.auditRecords} new audit records`);
    assert.equal(second.records, 1, 'only the new refund');
    const live = hashStreamHeads(await service.runtime.deps.store.auditHeads(tenantId));
    // The live trail has moved on by the audit record of the second backup itself.
    assert.notEqual(second.chainHead.heads_hash, live);

    const restored = await restoreInto(blobs, 'restored');
    assert.equal(restored.report.backups, 2);
    assert.equal(restored.report.auditRecords, first.auditRecords + second.auditRecords);
    assert.equal(restored.verification.status, 'intact');
    assert.equal(restored.headsHash, second.chainHead.heads_hash);
    assert.equal(restored.refunds, 2);
    assert.equal(restored.report.records, 3);
  });

  it('refuses to restore into a store that already holds the tenant', async () => {
    const blobs = folderBlobStore(join(scratch, 'folder'));
    const store = await openSqliteStore({ path: join(scratch, 'restored.db'), clock: systemClock });
    await assert.rejects(restoreTenant({ store, clock: systemClock }, blobs, tenantId), /already holds tenant/);
    await store.close();
  });

  it('stops before applying a file that does not match its manifest, or a broken chain of backups', async () => {
    const root = join(scratch, 'folder');
    const tampered = join(scratch, 'tampered');
    const keys = await listManifests(folderBlobStore(root), tenantId);
    const firstFolder = (keys[0] ?? '').replace('/manifest.json', '');
    const secondFolder = (keys[1] ?? '').replace('/manifest.json', '');
    const clone = folderBlobStore(tampered);
    for (const folder of [firstFolder, secondFolder]) {
      for (const name of ['manifest.json', 'audit.ndjson.gz', 'records.ndjson.gz', 'heads.ndjson.gz']) {
        const body = await folderBlobStore(root).get(`${folder}/${name}`);
        assert.ok(body);
        await clone.put(`${folder}/${name}`, body, 'application/octet-stream');
      }
    }
    const auditPath = join(tampered, ...secondFolder.split('/'), 'audit.ndjson.gz');
    const bytes = readFileSync(auditPath);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0xff;
    writeFileSync(auditPath, bytes);
    await assert.rejects(restoreInto(clone, 'tampered-target'), /does not match its manifest/);
    rmSync(join(tampered, ...firstFolder.split('/')), { recursive: true });
    await assert.rejects(restoreInto(clone, 'broken-chain-target'), /chain of backups is broken/);
  });

  it('backs up a trail that the store lists out of sequence order (as DynamoDB lists by time)', async () => {
    const { store } = service.runtime.deps;
    // Every page of the audit listing comes back reversed: each stream's records arrive last first.
    const reversing = new Proxy(store, {
      get(target, property) {
        if (property === 'listAudit') {
          return async (...args: Parameters<Store['listAudit']>) => {
            const page = await target.listAudit(...args);
            return { ...page, items: [...page.items].reverse() };
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const blobs = folderBlobStore(join(scratch, 'reversed'));
    const report = await backupTenant({ ...service.runtime.deps, store: reversing }, blobs, tenantId, { settleMs: 0 });
    const live = (await store.auditHeads(tenantId)).reduce((sum, head) => sum + head.sequence, 0);
    assert.equal(report.auditRecords, live - 1, 'every record but the backup\'s own audit record');
    const restored = await restoreInto(blobs, 'from-reversed');
    assert.equal(restored.verification.status, 'intact');
    assert.equal(restored.headsHash, report.chainHead.heads_hash);
  });

  describe('to S3', () => {
    let s3rver: S3rver;
    let client: S3Client;
    before(async () => {
      s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(scratch, 's3rver') });
      const { port } = await s3rver.run();
      // s3rver does not speak the aws-chunked checksum trailers newer SDKs send by default;
      // real S3 accepts both, so the client computes checksums only where S3 requires them.
      client = new S3Client({
        endpoint: `http://127.0.0.1:${port}`, region: 'eu-west-1', forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
      });
      await client.send(new CreateBucketCommand({ Bucket: 'contra-backups' }));
    });
    after(async () => {
      client.destroy();
      await s3rver.close();
    });

    it('round-trips through a bucket: backup, restore, same chain head, verify intact', async () => {
      const blobs = s3BlobStore({ bucket: 'contra-backups', prefix: 'contra/', client });
      const report = await backup(blobs);
      assert.ok(report.auditRecords > 10);
      assert.equal(report.location, 's3://contra-backups/contra/');
      const restored = await restoreInto(blobs, 'from-s3');
      assert.equal(restored.verification.status, 'intact');
      assert.equal(restored.headsHash, report.chainHead.heads_hash);
      assert.equal(await blobs.get('no/such/key'), null);
    });
  });
});

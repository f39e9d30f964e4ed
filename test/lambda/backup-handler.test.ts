// The backup Lambda handler (B1), driven by a recorded EventBridge scheduled event over a
// Lambda root configured as the stack configures it (CONTRA_BACKUP_S3_BUCKET), writing to
// the s3rver emulator: every tenant is backed up to the bucket, the next run takes only
// what is new, and the bucket restores into an empty store with the same chain head.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { adminToken } from '../support/service.ts';
import { captureStdoutJson, emfMetrics, lambdaContext, openTestLambdaRoot, recordedEvent, type StdoutCapture, type TestLambdaRoot } from '../support/lambda.ts';
import { httpHandlerFor, type HttpHandler } from '../../src/interfaces/lambda/http-handler.ts';
import { scheduledHandlerFor, type JobResult } from '../../src/interfaces/lambda/scheduled-handler.ts';
import { metricNames } from '../../src/interfaces/lambda/lambda-contract.ts';
import { s3BlobStore } from '../../src/adapters/blob/s3-blob-store.ts';
import { openSqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import { systemClock } from '../../src/adapters/system/system-clock.ts';
import { listManifests, readManifest, type BackupReport } from '../../src/app/backups/write-backup.ts';
import { restoreTenant } from '../../src/app/backups/restore-backup.ts';
import { verifyAuditTrail } from '../../src/app/audit/verify-audit.ts';
import { hashStreamHeads } from '../../src/domain/audit/audit-record.ts';
import type { TenantId } from '../../src/domain/ids.ts';
import type { ProxyResult } from '../../src/interfaces/lambda/proxy-event.ts';

const bucket = 'contra-backups';
const prefix = 'contra/';
/** What the SDK reads from the environment in the function: fake credentials for s3rver, checksums only where S3 requires them (s3rver does not speak the aws-chunked trailers; real S3 accepts both). */
const sdkEnvironment: Record<string, string> = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'eu-west-1',
  AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
  AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
};
const body = (result: ProxyResult) => JSON.parse(result.body) as Record<string, unknown>;
/** The report of the one tenant a done run backed up. */
function onlyTenantReport(result: JobResult): BackupReport {
  if (result.status !== 'done') throw new Error(`the backup did not run: ${result.reason}`);
  const { tenants } = result.report as { tenants: BackupReport[] };
  assert.equal(tenants.length, 1, JSON.stringify(tenants));
  const [report] = tenants;
  if (report === undefined) throw new Error('no tenant report');
  return report;
}

describe('backup Lambda handler', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'contra-lambda-backup-'));
  const saved = new Map(Object.keys(sdkEnvironment).map((name) => [name, process.env[name]]));
  const context = lambdaContext('contra-backup');
  let s3rver: S3rver;
  let client: S3Client;
  let lambda: TestLambdaRoot;
  let http: HttpHandler;
  let stdout: StdoutCapture;
  let apiKey: string;
  let tenantId: TenantId;

  const pay = async (transactionId: string) => {
    const created = await http(recordedEvent('payment-create-http-v2.json', { API_KEY: apiKey, TRANSACTION_ID: transactionId, CARD_NUMBER: '4242424242424242' }));
    assert.equal(created.statusCode, 201, created.body);
  };

  before(async () => {
    s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(scratch, 's3rver') });
    const { port } = await s3rver.run();
    const endpoint = `http://127.0.0.1:${port}`;
    Object.assign(process.env, sdkEnvironment);
    client = new S3Client({ endpoint, forcePathStyle: true });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    stdout = captureStdoutJson();
    lambda = await openTestLambdaRoot({ CONTRA_BACKUP_S3_BUCKET: bucket, CONTRA_BACKUP_S3_ENDPOINT: endpoint, CONTRA_BACKUP_SETTLE_MS: '0' });
    http = httpHandlerFor(lambda.root);
    const created = await http(recordedEvent('tenant-create-rest-v1.json', { BOOTSTRAP_TOKEN: adminToken }));
    assert.equal(created.statusCode, 201, created.body);
    apiKey = String(body(created)['api_key']);
    tenantId = String(body(created)['tenant_id']) as TenantId;
    for (const id of ['lbk-1', 'lbk-2']) await pay(id);
  });
  after(async () => {
    stdout.restore();
    await lambda.close();
    client.destroy();
    await s3rver.close();
    for (const [name, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  it('backs up every tenant to the bucket on its schedule, then only what is new', async () => {
    const handler = scheduledHandlerFor(lambda.root, 'backup');
    const from = stdout.lines.length;
    const first = await handler(recordedEvent('scheduled-event.json', { JOB: 'backup' }), context);
    const firstReport = onlyTenantReport(first);
    assert.equal(firstReport.tenantId, tenantId);
    assert.ok(firstReport.auditRecords > 2, JSON.stringify(firstReport));
    assert.equal(emfMetrics(stdout.lines.slice(from)).get(metricNames.jobRun), 1);

    const blobs = s3BlobStore({ bucket, prefix, client });
    const manifests = await listManifests(blobs, tenantId);
    assert.equal(manifests.length, 1);
    assert.equal((await readManifest(blobs, manifests[0] ?? '')).files.audit.count, firstReport.auditRecords);

    await pay('lbk-3');
    const second = await handler(recordedEvent('scheduled-event.json', { JOB: 'backup' }), context);
    const secondReport = onlyTenantReport(second);
    assert.ok(secondReport.auditRecords > 0 && secondReport.auditRecords < firstReport.auditRecords, JSON.stringify(secondReport));
    assert.equal((await listManifests(blobs, tenantId)).length, 2);

    const store = await openSqliteStore({ path: join(scratch, 'restored.db'), clock: systemClock });
    await store.migrate();
    try {
      const restored = await restoreTenant({ store, clock: systemClock }, blobs, tenantId);
      assert.equal(restored.backups, 2);
      assert.equal((await verifyAuditTrail({ store }, tenantId)).status, 'intact');
      assert.equal(hashStreamHeads(await store.auditHeads(tenantId)), secondReport.chainHead.heads_hash);
    } finally {
      await store.close();
    }
  });

  it('writes nothing for an event that is not an EventBridge scheduled event', async () => {
    const blobs = s3BlobStore({ bucket, prefix, client });
    const before = (await blobs.list('')).length;
    const result = await scheduledHandlerFor(lambda.root, 'backup')({ source: 'aws.events' }, context);
    assert.equal(result.status, 'refused');
    assert.equal((await blobs.list('')).length, before);
  });
});

// The Lambda composition root: built from the same config loader as the server, opened
// once per container and reused while warm (and opened again after a failed start), the
// KMS vault when PAYMENT_KMS_KEY_ARN is set, and no bootstrap token ever printed to logs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KMSClient } from '@aws-sdk/client-kms';
import { installFakeKms, type FakeKms } from '../../src/adapters/key-vault/aws-kms/fake-kms.ts';
import { warmLambdaRoot } from '../../src/interfaces/lambda/lambda-root.ts';
import { http, requeryPayments } from '../../src/interfaces/lambda/handlers.ts';
import { adminToken } from '../support/service.ts';
import { captureStdoutJson, lambdaContext, openTestLambdaRoot, recordedEvent, type StdoutCapture } from '../support/lambda.ts';
import { httpHandlerFor } from '../../src/interfaces/lambda/http-handler.ts';
import { testStoreKind } from '../support/test-store.ts';

const body = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe('Lambda composition root', () => {
  let stdout: StdoutCapture;
  before(() => {
    stdout = captureStdoutJson();
  });
  after(() => {
    stdout.restore();
  });

  it('opens once per container from the environment, reuses the root while warm, and retries after a failed start', { skip: testStoreKind() === 'postgres' ? 'runs on the embedded store only' : false }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'contra-lambda-warm-'));
    const saved = { ...process.env };
    try {
      process.env['CONTRA_DATA_DIR'] = dataDir;
      process.env['CONTRA_ADMIN_TOKEN'] = 'too-short';
      await assert.rejects(http(recordedEvent('tenant-create-rest-v1.json', { BOOTSTRAP_TOKEN: adminToken })), /CONTRA_ADMIN_TOKEN/);
      process.env['CONTRA_ADMIN_TOKEN'] = adminToken;
      const created = await http(recordedEvent('tenant-create-rest-v1.json', { BOOTSTRAP_TOKEN: adminToken }), lambdaContext('contra-http'));
      assert.equal(created.statusCode, 201, created.body);
      const first = await warmLambdaRoot();
      const job = await requeryPayments(recordedEvent('scheduled-event.json', { JOB: 'requery-payments' }), lambdaContext('contra-requery'));
      assert.equal(job.status, 'done');
      assert.equal(await warmLambdaRoot(), first);
      await first.close();
    } finally {
      process.env = saved;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('never generates and prints a bootstrap token: without CONTRA_ADMIN_TOKEN no token creates tenants', async () => {
    const lambda = await openTestLambdaRoot({ CONTRA_ADMIN_TOKEN: '' });
    try {
      const refused = await httpHandlerFor(lambda.root)(recordedEvent('tenant-create-rest-v1.json', { BOOTSTRAP_TOKEN: adminToken }));
      assert.equal(refused.statusCode, 401, refused.body);
      const everything = JSON.stringify(stdout.lines) + lambda.pinoLogs.join('\n');
      assert.ok(!everything.includes('ctr-admin.'));
    } finally {
      await lambda.close();
    }
  });

  describe('with PAYMENT_KMS_KEY_ARN', () => {
    let kms: FakeKms;
    before(() => {
      kms = installFakeKms(KMSClient);
    });
    after(() => {
      kms.restore();
    });

    it('seals card data through KMS and serves payments as usual', async () => {
      const keyArn = kms.createKey();
      const lambda = await openTestLambdaRoot({ PAYMENT_KMS_KEY_ARN: keyArn, AWS_REGION: 'eu-west-1' });
      try {
        const handler = httpHandlerFor(lambda.root);
        const tenant = await handler(recordedEvent('tenant-create-rest-v1.json', { BOOTSTRAP_TOKEN: adminToken }));
        const apiKey = String(body(tenant.body)['api_key']);
        const generatedBefore = kms.calls.generateDataKey;
        const created = await handler(recordedEvent('payment-create-http-v2.json', { API_KEY: apiKey, TRANSACTION_ID: 'kms-lambda-1', CARD_NUMBER: '4242424242424242' }));
        assert.equal(created.statusCode, 201, created.body);
        assert.ok(kms.calls.generateDataKey > generatedBefore);
        const refund = await handler(recordedEvent('refund-rest-v1.json', { API_KEY: apiKey, TRANSACTION_ID: 'kms-lambda-1', IDEMPOTENCY_KEY: 'kms-lambda-key' }));
        assert.equal(refund.statusCode, 200, refund.body);
      } finally {
        await lambda.close();
      }
    });
  });
});

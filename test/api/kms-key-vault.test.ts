// PAYMENT_KMS_KEY_ARN (seed 003) selects the AWS KMS key vault in the composition root:
// card data and audit details are sealed through KMS (here the fake KMS of the vault's own
// tests, installed on every KMSClient), still open for auditors, and never stored in clear.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KMSClient } from '@aws-sdk/client-kms';
import { installFakeKms, type FakeKms } from '../../src/adapters/key-vault/aws-kms/fake-kms.ts';
import { loadConfig } from '../../src/interfaces/config.ts';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, paymentBody, type Tenant } from '../support/client.ts';

describe('the KMS key vault in the service (PAYMENT_KMS_KEY_ARN)', () => {
  let kms: FakeKms;
  let keyArn: string;
  let service: TestService;
  let tenant: Tenant;
  before(async () => {
    kms = installFakeKms(KMSClient);
    keyArn = kms.createKey();
    service = await startService({ environment: { PAYMENT_KMS_KEY_ARN: keyArn, AWS_REGION: 'eu-west-1' } });
    tenant = await createTenant(service);
  });
  after(async () => {
    await service.close();
    kms.restore();
  });

  it('seals the SecureToken and audit details through KMS, and auditors still read the details', async () => {
    const generatedBefore = kms.calls.generateDataKey;
    const created = await call(service, 'POST', '/api/v1/payments', paymentBody('kms-1'), { token: tenant.keys['service']! });
    assert.equal(created.status, 201, created.text);
    assert.ok(kms.calls.generateDataKey > generatedBefore);
    const found = await call(service, 'GET', '/api/v1/audit?transaction_id=kms-1', undefined, { token: tenant.keys['auditor']! });
    assert.equal(found.status, 200, found.text);
    const records = found.body['data'] as { details?: unknown }[];
    assert.ok(records.length > 0 && records.some((record) => record.details !== null && record.details !== undefined), found.text);
    const stored = await service.storedText();
    assert.ok(stored.includes(keyArn), 'envelopes name the KMS key');
    assert.ok(!stored.includes('4242424242424242'));
  });

  it('refuses a PAYMENT_KMS_KEY_ARN that is not a KMS ARN, naming the variable', () => {
    assert.throws(() => loadConfig({ PAYMENT_KMS_KEY_ARN: 'alias/contra' }), /PAYMENT_KMS_KEY_ARN must be a KMS key or alias ARN/);
  });
});

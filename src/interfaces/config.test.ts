// Configuration: which store the environment selects, the DynamoDB settings it needs, and the audit queue.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

describe('store selection', () => {
  it('selects the embedded store by default and PostgreSQL when DATABASE_URL is set', () => {
    assert.equal(loadConfig({}).store.kind, 'sqlite');
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://localhost/contra' }).store.kind, 'postgres');
  });

  it('selects DynamoDB with the seed table names, the region and an optional emulator endpoint', () => {
    assert.deepEqual(loadConfig({ CONTRA_STORE: 'dynamodb', AWS_REGION: 'eu-west-1' }).store, {
      kind: 'dynamodb', region: 'eu-west-1', endpoint: null, ledgerTable: 'PaymentLedger', auditTable: 'PaymentAuditTrail',
    });
    assert.deepEqual(loadConfig({
      CONTRA_STORE: 'dynamodb', AWS_DEFAULT_REGION: 'us-east-1', CONTRA_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      DYNAMODB_TABLE_NAME: 'prod-PaymentLedger', DYNAMODB_AUDIT_TABLE_NAME: 'prod-PaymentAuditTrail',
    }).store, {
      kind: 'dynamodb', region: 'us-east-1', endpoint: 'http://127.0.0.1:8000', ledgerTable: 'prod-PaymentLedger', auditTable: 'prod-PaymentAuditTrail',
    });
  });

  it('refuses DynamoDB without a region, naming the variable', () => {
    assert.throws(() => loadConfig({ CONTRA_STORE: 'dynamodb' }), (error: unknown) => error instanceof ConfigError && error.message.includes('AWS_REGION'));
  });

  it('refuses a table name DynamoDB would refuse and an endpoint that is not a URL', () => {
    for (const [name, value] of [['DYNAMODB_TABLE_NAME', 'no spaces allowed'], ['DYNAMODB_AUDIT_TABLE_NAME', 'x'], ['CONTRA_DYNAMODB_ENDPOINT', 'localhost:8000']]) {
      assert.throws(() => loadConfig({ CONTRA_STORE: 'dynamodb', AWS_REGION: 'eu-west-1', [name ?? '']: value ?? '' }),
        (error: unknown) => error instanceof ConfigError && error.message.includes(name ?? '?'));
    }
  });
});

describe('audit queue', () => {
  it('has no audit queue by default, and takes an SQS FIFO queue URL', () => {
    assert.equal(loadConfig({}).auditQueueUrl, null);
    assert.equal(loadConfig({}).auditRelayIntervalMs, 5000);
    const url = 'https://sqs.eu-west-1.amazonaws.com/123456789012/Contra-AuditQueue-1A2B3C.fifo';
    assert.equal(loadConfig({ CONTRA_AUDIT_QUEUE_URL: url }).auditQueueUrl, url);
  });

  it('refuses a queue that is not FIFO, or not a URL, naming the variable', () => {
    for (const value of ['https://sqs.eu-west-1.amazonaws.com/123456789012/contra-audit', 'contra-audit.fifo', 'https://sqs.eu-west-1.amazonaws.com/123456789012/a b.fifo']) {
      assert.throws(() => loadConfig({ CONTRA_AUDIT_QUEUE_URL: value }), (error: unknown) => error instanceof ConfigError && error.message.includes('CONTRA_AUDIT_QUEUE_URL'), value);
    }
  });
});

describe('metrics token', () => {
  it('is unset by default and refused when short or spaced, naming the variable', () => {
    assert.equal(loadConfig({}).metricsToken, null);
    assert.equal(loadConfig({ CONTRA_METRICS_TOKEN: 'metrics-scraper-token-0123456789' }).metricsToken, 'metrics-scraper-token-0123456789');
    for (const value of ['too-short', 'metrics scraper token 0123456789']) {
      assert.throws(() => loadConfig({ CONTRA_METRICS_TOKEN: value }), (error: unknown) => error instanceof ConfigError && error.message.includes('CONTRA_METRICS_TOKEN'));
    }
  });
});

describe('converge processor', () => {
  const converge = {
    CONTRA_CONVERGE_URL: 'https://api.demo.convergepay.com/VirtualMerchant/processxml.do',
    CONTRA_CONVERGE_MERCHANT_ID: '0012345', CONTRA_CONVERGE_USER_ID: 'apiuser000001', CONTRA_CONVERGE_PIN: 'SECRETPIN1234567890',
  };
  const refusedNaming = (variable: string, secret?: string) => (error: unknown): boolean =>
    error instanceof ConfigError && error.message.includes(variable) && (secret === undefined || !error.message.includes(secret));

  it('is off by default and on with all four settings', () => {
    assert.equal(loadConfig({}).converge, null);
    assert.deepEqual(loadConfig(converge).converge, {
      url: converge.CONTRA_CONVERGE_URL, merchantId: '0012345', userId: 'apiuser000001', pin: 'SECRETPIN1234567890',
    });
  });

  it('refuses a partial set, naming what is missing', () => {
    const { CONTRA_CONVERGE_PIN: _pin, ...withoutPin } = converge;
    assert.throws(() => loadConfig(withoutPin), refusedNaming('CONTRA_CONVERGE_PIN'));
    assert.throws(() => loadConfig({ CONTRA_CONVERGE_URL: converge.CONTRA_CONVERGE_URL }), refusedNaming('CONTRA_CONVERGE_MERCHANT_ID'));
  });

  it('refuses plain http except to this machine, and malformed credentials, naming the variable and never echoing the PIN', () => {
    assert.throws(() => loadConfig({ ...converge, CONTRA_CONVERGE_URL: 'http://api.demo.convergepay.com/x' }), refusedNaming('CONTRA_CONVERGE_URL'));
    assert.equal(loadConfig({ ...converge, CONTRA_CONVERGE_URL: 'http://127.0.0.1:9999/x' }).converge?.url, 'http://127.0.0.1:9999/x');
    assert.throws(() => loadConfig({ ...converge, CONTRA_CONVERGE_MERCHANT_ID: 'abc' }), refusedNaming('CONTRA_CONVERGE_MERCHANT_ID'));
    assert.throws(() => loadConfig({ ...converge, CONTRA_CONVERGE_USER_ID: 'has space' }), refusedNaming('CONTRA_CONVERGE_USER_ID'));
    assert.throws(() => loadConfig({ ...converge, CONTRA_CONVERGE_PIN: 'bad pin!' }), refusedNaming('CONTRA_CONVERGE_PIN', 'bad pin!'));
  });
});

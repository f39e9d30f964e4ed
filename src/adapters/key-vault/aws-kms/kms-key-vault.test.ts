// Specification of the KMS key vault against the fake KMS: envelopes open only under their
// own context, KMS itself refuses another tenant or purpose, data keys are cached within
// limits and per context, and KMS failures that are not about the envelope stay failures.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DisabledException, KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import type { Clock } from '../../../app/ports/clock.ts';
import type { SealedEnvelope } from '../../../domain/crypto/envelope.ts';
import { installFakeKms, type FakeKms } from './fake-kms.ts';
import { KmsKeyVault, type KmsKeyVaultOptions } from './kms-key-vault.ts';

const context = { tenant_id: 'tenant-1', audit_record_id: 'aud_01', purpose: 'audit_details' };
const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

class FakeClock implements Clock {
  nowMs = 1_700_000_000_000;
  now(): number {
    return this.nowMs;
  }
}

describe('KMS key vault', () => {
  const client = new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' } });
  let kms: FakeKms;
  let keyArn: string;
  let clock: FakeClock;
  const vaultWith = (options: Partial<KmsKeyVaultOptions> = {}) => new KmsKeyVault({ client, keyArn, clock, ...options });
  before(() => {
    kms = installFakeKms(client);
    keyArn = kms.createKey();
  });
  beforeEach(() => {
    clock = new FakeClock();
  });
  after(() => {
    kms.restore();
  });

  it('opens what it sealed under the same context, and names the KMS key ARN in the envelope', async () => {
    const vault = vaultWith();
    for (const text of ['', 'card 4242', '₦5,000.00 credited back', 'x'.repeat(100_000)]) {
      const envelope = await vault.seal(encode(text), context);
      assert.equal(envelope.masterKeyId, keyArn);
      assert.equal(decode(await vaultWith().open(envelope, { ...context })), text);
    }
  });

  it('is refused by KMS under another tenant or purpose, and by AES-GCM under another record', async () => {
    const envelope = await vaultWith().seal(encode('details'), context);
    for (const other of [{ ...context, tenant_id: 'tenant-2' }, { ...context, purpose: 'secure_token' }]) {
      const fresh = vaultWith();
      const decryptsBefore = kms.calls.decrypt;
      await assert.rejects(fresh.open(envelope, other), /KMS refused its data key/);
      assert.equal(kms.calls.decrypt, decryptsBefore + 1);
    }
    await assert.rejects(vaultWith().open(envelope, { ...context, audit_record_id: 'aud_02' }), /could not be opened/);
  });

  it('does not let a cached data key open what KMS would refuse', async () => {
    const vault = vaultWith();
    const envelope = await vault.seal(encode('details'), context);
    assert.equal(decode(await vault.open(envelope, context)), 'details');
    await assert.rejects(vault.open(envelope, { ...context, tenant_id: 'tenant-2' }), /KMS refused its data key/);
  });

  it('refuses an envelope with any part altered', async () => {
    const envelope = await vaultWith().seal(encode('the original details'), context);
    const flip = (base64: string, index: number) => {
      const bytes = Buffer.from(base64, 'base64');
      bytes[index] = (bytes[index] ?? 0) ^ 1;
      return bytes.toString('base64');
    };
    const altered: readonly [string, SealedEnvelope][] = [
      ['ciphertext', { ...envelope, ciphertext: flip(envelope.ciphertext, 2) }],
      ['tag', { ...envelope, tag: flip(envelope.tag, 15) }],
      ['nonce', { ...envelope, iv: flip(envelope.iv, 0) }],
      ['wrapped key', { ...envelope, wrappedKey: flip(envelope.wrappedKey, Buffer.from(envelope.wrappedKey, 'base64').length - 1) }],
      ['key', { ...envelope, masterKeyId: kms.createKey() }],
      ['local key id', { ...envelope, masterKeyId: 'local:0123456789abcdef' }],
      ['not base64', { ...envelope, wrappedKey: `${envelope.wrappedKey}!` }],
    ];
    for (const [part, envelopeAltered] of altered) {
      await assert.rejects(vaultWith().open(envelopeAltered, context), /could not be opened/, part);
    }
  });

  it('seals many messages with one GenerateDataKey per tenant and purpose, and opens them with one Decrypt each', async () => {
    const vault = vaultWith();
    const generatedBefore = kms.calls.generateDataKey;
    const sealed = await Promise.all(Array.from({ length: 50 }, (_, index) =>
      vault.seal(encode(`message ${index}`), { ...context, tenant_id: `tenant-${index % 2}` })));
    assert.equal(kms.calls.generateDataKey - generatedBefore, 2);
    assert.equal(new Set(sealed.map((envelope) => envelope.wrappedKey)).size, 2);
    const reader = vaultWith();
    const decryptsBefore = kms.calls.decrypt;
    for (const [index, envelope] of sealed.entries()) {
      assert.equal(decode(await reader.open(envelope, { ...context, tenant_id: `tenant-${index % 2}` })), `message ${index}`);
    }
    assert.equal(kms.calls.decrypt - decryptsBefore, 2);
  });

  it('asks KMS for a new data key after messagesMax messages or ageMaxMs', async () => {
    const vault = vaultWith({ dataKeyMessagesMax: 2, dataKeyAgeMaxMs: 1_000 });
    const wrapped = async () => (await vault.seal(encode('x'), context)).wrappedKey;
    const [first, second, third] = [await wrapped(), await wrapped(), await wrapped()];
    assert.equal(first, second);
    assert.notEqual(second, third);
    clock.nowMs += 1_000;
    assert.notEqual(await wrapped(), third);
  });

  it('names the key ARN, not the alias, in envelopes sealed through an alias', async () => {
    const alias = kms.createAlias('contra-vault-test', keyArn);
    const envelope = await vaultWith({ keyArn: alias }).seal(encode('aliased'), context);
    assert.equal(envelope.masterKeyId, keyArn);
    assert.equal(decode(await vaultWith().open(envelope, context)), 'aliased');
  });

  it('lets KMS failures that are not about the envelope through, and does not cache a failed data key', async () => {
    const unknown = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-1111-1111-1111-111111111111';
    await assert.rejects(vaultWith({ keyArn: unknown }).seal(encode('x'), context), NotFoundException);
    const key = kms.createKey();
    const vault = vaultWith({ keyArn: key });
    const envelope = await vault.seal(encode('x'), { ...context, tenant_id: 'tenant-9' });
    kms.disableKey(key);
    await assert.rejects(vault.seal(encode('x'), { ...context, tenant_id: 'tenant-10' }), DisabledException);
    await assert.rejects(vaultWith({ keyArn: key }).open(envelope, { ...context, tenant_id: 'tenant-9' }), DisabledException);
  });

  it('refuses a context without tenant or purpose, and a key that is not a KMS ARN', async () => {
    await assert.rejects(vaultWith().seal(encode('x'), { audit_record_id: 'aud_01', purpose: 'audit_details' }), /needs 'tenant_id'/);
    await assert.rejects(vaultWith().seal(encode('x'), { tenant_id: 'tenant-1' }), /needs 'purpose'/);
    assert.throws(() => vaultWith({ keyArn: 'alias/contra' }), /KMS key or alias ARN/);
  });

  it('never puts the plaintext or the data key in the envelope', async () => {
    const plaintext = 'card number 4242424242424242';
    const envelope = await vaultWith().seal(encode(plaintext), context);
    const stored = JSON.stringify(envelope);
    for (const form of [plaintext, '4242424242424242', Buffer.from(plaintext).toString('base64')]) assert.ok(!stored.includes(form), form);
  });
});

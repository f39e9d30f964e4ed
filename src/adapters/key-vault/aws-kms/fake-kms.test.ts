// Specification of the fake KMS the KMS vault is tested against: it must answer as AWS KMS
// documents, or the vault's tests would prove nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DecryptCommand,
  DisabledException,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { installFakeKms, type FakeKms } from './fake-kms.ts';

const context = { tenant_id: 'tenant-1', purpose: 'audit_details' };

describe('fake KMS', () => {
  const client = new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' } });
  let kms: FakeKms;
  let keyArn: string;
  before(() => {
    kms = installFakeKms(client);
    keyArn = kms.createKey();
  });
  after(() => {
    kms.restore();
  });

  it('answers GenerateDataKey with a 32-byte Plaintext, an opaque CiphertextBlob and the key ARN', async () => {
    const output = await client.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: context }));
    assert.ok(output.Plaintext instanceof Uint8Array);
    assert.equal(output.Plaintext.length, 32);
    assert.ok(output.CiphertextBlob instanceof Uint8Array);
    assert.ok(!Buffer.from(output.CiphertextBlob).includes(Buffer.from(output.Plaintext)));
    assert.equal(output.KeyId, keyArn);
  });

  it('decrypts the blob back to the same data key under the same context, naming the key', async () => {
    const generated = await client.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: context }));
    const output = await client.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: { purpose: 'audit_details', tenant_id: 'tenant-1' } }));
    assert.deepEqual(output.Plaintext, generated.Plaintext);
    assert.equal(output.KeyId, keyArn);
  });

  it('refuses another context, a missing context or an altered blob with InvalidCiphertextException', async () => {
    const generated = await client.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: context }));
    const blob = generated.CiphertextBlob!;
    const altered = Uint8Array.from(blob);
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 1;
    const attempts = [
      { CiphertextBlob: blob, EncryptionContext: { ...context, tenant_id: 'tenant-2' } },
      { CiphertextBlob: blob, EncryptionContext: { ...context, purpose: 'secure_token' } },
      { CiphertextBlob: blob },
      { CiphertextBlob: altered, EncryptionContext: context },
      { CiphertextBlob: blob.subarray(0, 10), EncryptionContext: context },
    ];
    for (const input of attempts) {
      await assert.rejects(client.send(new DecryptCommand(input)), InvalidCiphertextException);
    }
  });

  it('refuses an unknown KeyId with NotFoundException, a blob of another key with IncorrectKeyException', async () => {
    const unknown = 'arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000';
    await assert.rejects(client.send(new GenerateDataKeyCommand({ KeyId: unknown, KeySpec: 'AES_256' })), NotFoundException);
    const generated = await client.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: context }));
    const otherKey = kms.createKey();
    await assert.rejects(client.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, KeyId: otherKey, EncryptionContext: context })), IncorrectKeyException);
  });

  it('resolves an alias to its key and refuses a disabled key with DisabledException', async () => {
    const key = kms.createKey();
    const alias = kms.createAlias('contra-payments', key);
    const generated = await client.send(new GenerateDataKeyCommand({ KeyId: alias, KeySpec: 'AES_256' }));
    assert.equal(generated.KeyId, key);
    kms.disableKey(key);
    await assert.rejects(client.send(new GenerateDataKeyCommand({ KeyId: key, KeySpec: 'AES_256' })), DisabledException);
    await assert.rejects(client.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob })), DisabledException);
  });
});

// A fake AWS KMS for tests, installed with aws-sdk-client-mock on a KMSClient (one instance
// or the class). It really encrypts: each key is an AES-256-GCM master key, data keys come
// back wrapped under it with the encryption context as associated data, and it answers as
// KMS documents: NotFoundException for an unknown key, InvalidCiphertextException for an
// altered blob or another context, IncorrectKeyException for a blob of another key,
// DisabledException for a disabled key; responses carry CiphertextBlob, Plaintext, KeyId.
import { createSecretKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import {
  DecryptCommand,
  DisabledException,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  NotFoundException,
  type DecryptCommandInput,
  type DecryptCommandOutput,
  type GenerateDataKeyCommandInput,
  type GenerateDataKeyCommandOutput,
  KMSClient,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { decrypt, encrypt, ivBytes, tagBytes } from '../local/aes-gcm.ts';

const region = 'eu-west-1';
const account = '123456789012';
const metadata = { httpStatusCode: 400, requestId: 'fake-kms' };

type FakeKey = { readonly arn: string; readonly material: KeyObject; enabled: boolean };

export type FakeKms = {
  /** The ARN of a new symmetric key. */
  createKey(): string;
  /** An alias ARN that resolves to the key. */
  createAlias(name: string, keyArn: string): string;
  disableKey(keyArn: string): void;
  /** How many GenerateDataKey and Decrypt calls reached the fake. */
  readonly calls: { generateDataKey: number; decrypt: number };
  restore(): void;
};

/** KMS binds the context as a set of pairs; sorted pairs in JSON are one canonical form. */
function contextBytes(context: Record<string, string> | undefined): Buffer {
  const entries = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(entries), 'utf8');
}

function invalidCiphertext(): InvalidCiphertextException {
  return new InvalidCiphertextException({ message: 'The ciphertext is invalid or was encrypted under a different context', $metadata: metadata });
}

/** The blob: key ARN length (2 bytes), key ARN, nonce, tag, wrapped data key. */
function packBlob(keyArn: string, sealed: { iv: Buffer; tag: Buffer; ciphertext: Buffer }): Uint8Array {
  const arn = Buffer.from(keyArn, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(arn.length);
  return new Uint8Array(Buffer.concat([length, arn, sealed.iv, sealed.tag, sealed.ciphertext]));
}

function unpackBlob(blob: Uint8Array | undefined): { keyArn: string; iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const bytes = Buffer.from(blob ?? new Uint8Array());
  if (bytes.length < 2) throw invalidCiphertext();
  const arnLength = bytes.readUInt16BE(0);
  const start = 2 + arnLength;
  if (bytes.length <= start + ivBytes + tagBytes) throw invalidCiphertext();
  return {
    keyArn: bytes.subarray(2, start).toString('utf8'),
    iv: bytes.subarray(start, start + ivBytes),
    tag: bytes.subarray(start + ivBytes, start + ivBytes + tagBytes),
    ciphertext: bytes.subarray(start + ivBytes + tagBytes),
  };
}

class FakeKmsState {
  readonly keys = new Map<string, FakeKey>();
  readonly aliases = new Map<string, string>();
  readonly calls = { generateDataKey: 0, decrypt: 0 };

  resolve(keyId: string | undefined): FakeKey {
    const arn = keyId === undefined ? undefined : this.aliases.get(keyId) ?? keyId;
    const key = arn === undefined ? undefined : this.keys.get(arn);
    if (key === undefined) throw new NotFoundException({ message: `Key '${keyId ?? ''}' does not exist`, $metadata: metadata });
    if (!key.enabled) throw new DisabledException({ message: `${key.arn} is disabled.`, $metadata: metadata });
    return key;
  }

  generateDataKey(input: GenerateDataKeyCommandInput): GenerateDataKeyCommandOutput {
    this.calls.generateDataKey++;
    const key = this.resolve(input.KeyId);
    // KMS takes exactly one of KeySpec and NumberOfBytes; the vault only ever asks for AES_256.
    if (input.KeySpec !== 'AES_256' || input.NumberOfBytes !== undefined) throw new Error('the fake KMS models KeySpec AES_256 only');
    const plaintext = randomBytes(32);
    const wrapped = encrypt(key.material, plaintext, contextBytes(input.EncryptionContext));
    return { CiphertextBlob: packBlob(key.arn, wrapped), Plaintext: new Uint8Array(plaintext), KeyId: key.arn, $metadata: {} };
  }

  decrypt(input: DecryptCommandInput): DecryptCommandOutput {
    this.calls.decrypt++;
    const blob = unpackBlob(input.CiphertextBlob);
    const key = this.keys.get(blob.keyArn);
    if (key === undefined) throw invalidCiphertext();
    if (input.KeyId !== undefined && this.resolve(input.KeyId).arn !== key.arn) {
      throw new IncorrectKeyException({ message: 'The key ID in the request does not identify the key that encrypted the ciphertext', $metadata: metadata });
    }
    if (!key.enabled) throw new DisabledException({ message: `${key.arn} is disabled.`, $metadata: metadata });
    let plaintext: Buffer;
    try {
      plaintext = decrypt(key.material, blob, contextBytes(input.EncryptionContext));
    } catch {
      throw invalidCiphertext();
    }
    return { KeyId: key.arn, Plaintext: new Uint8Array(plaintext), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', $metadata: {} };
  }
}

/** Installs the fake on a client instance, or on every KMSClient when given the class. */
export function installFakeKms(target: KMSClient | typeof KMSClient): FakeKms {
  const state = new FakeKmsState();
  const stub = mockClient(target);
  stub.on(GenerateDataKeyCommand).callsFake((input: GenerateDataKeyCommandInput) => state.generateDataKey(input));
  stub.on(DecryptCommand).callsFake((input: DecryptCommandInput) => state.decrypt(input));
  return {
    createKey() {
      const arn = `arn:aws:kms:${region}:${account}:key/${randomUUID()}`;
      state.keys.set(arn, { arn, material: createSecretKey(randomBytes(32)), enabled: true });
      return arn;
    },
    createAlias(name, keyArn) {
      const aliasArn = `arn:aws:kms:${region}:${account}:alias/${name}`;
      state.aliases.set(aliasArn, keyArn);
      return aliasArn;
    },
    disableKey(keyArn) {
      const key = state.keys.get(keyArn);
      if (key !== undefined) key.enabled = false;
    },
    calls: state.calls,
    restore: () => {
      stub.restore();
    },
  };
}

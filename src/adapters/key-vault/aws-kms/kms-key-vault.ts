// The key vault on AWS KMS (seed 003's PAYMENT_KMS_KEY_ARN): data keys come from
// GenerateDataKey (AES_256) and are unwrapped by Decrypt, both under a KMS encryption
// context of the tenant and purpose; values are sealed locally with AES-256-GCM, the whole
// context as associated data, exactly as the local vault seals them.
import { createSecretKey, type KeyObject } from 'node:crypto';
import {
  DecryptCommand,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  type KMSClient,
} from '@aws-sdk/client-kms';
import type { EncryptionContext, KeyVault } from '../../../app/ports/key-vault.ts';
import type { Clock } from '../../../app/ports/clock.ts';
import type { SealedEnvelope } from '../../../domain/crypto/envelope.ts';
import { canonicalContext, decrypt, encrypt } from '../local/aes-gcm.ts';
import { UnwrappedKeyCache } from '../local/data-key-cache.ts';
import { dataKeyAgeMaxMs, dataKeyMessagesMax, plaintextBytesMax, unwrappedKeyCacheEntriesMax } from '../local/local-key-vault.ts';
import { ContextSealingKeys, type KmsDataKey } from './kms-data-keys.ts';
import { kmsKeyArnPattern } from './kms-key-arn.ts';

/** The context entries sent to KMS: the tenant and the purpose. Both must be present. */
export const kmsContextEntryNames = ['tenant_id', 'purpose'] as const;
/** Tenant-and-purpose pairs whose sealing key is kept; beyond that the least recent is dropped. */
export const sealingContextsMax = 1_000;
const dataKeyBytes = 32;

export type KmsKeyVaultOptions = {
  readonly client: KMSClient;
  /** The configured key (PAYMENT_KMS_KEY_ARN): a key ARN or an alias ARN. */
  readonly keyArn: string;
  readonly clock: Clock;
  readonly dataKeyMessagesMax?: number;
  readonly dataKeyAgeMaxMs?: number;
  readonly unwrappedKeyCacheEntriesMax?: number;
};

function kmsContextOf(context: EncryptionContext): Record<string, string> {
  const kmsContext: Record<string, string> = {};
  for (const name of kmsContextEntryNames) {
    const value = context[name];
    if (typeof value !== 'string' || value === '') throw new TypeError(`the KMS key vault needs '${name}' in every encryption context`);
    kmsContext[name] = value;
  }
  return kmsContext;
}

function decodeBase64(value: string, part: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new Error(`the envelope could not be opened: its ${part} is not base64`);
  return Buffer.from(value, 'base64');
}

/** A KMS answer missing what its documentation promises is broken infrastructure, not bad input. */
function required<T>(value: T | undefined, field: string, operation: string): T {
  if (value === undefined) throw new Error(`KMS ${operation} answered without ${field}`);
  return value;
}

function secretKeyFrom(plaintext: Uint8Array): KeyObject {
  if (plaintext.length !== dataKeyBytes) throw new Error(`KMS returned a data key of ${plaintext.length} bytes, not ${dataKeyBytes}`);
  try {
    return createSecretKey(Buffer.from(plaintext));
  } finally {
    plaintext.fill(0);
  }
}

export class KmsKeyVault implements KeyVault {
  readonly keyArn: string;
  readonly #client: KMSClient;
  readonly #sealingKeys: ContextSealingKeys;
  readonly #unwrappedKeys: UnwrappedKeyCache;

  constructor(options: KmsKeyVaultOptions) {
    if (!kmsKeyArnPattern.test(options.keyArn)) throw new TypeError('the KMS key vault needs a KMS key or alias ARN');
    this.keyArn = options.keyArn;
    this.#client = options.client;
    this.#sealingKeys = new ContextSealingKeys({
      messagesMax: options.dataKeyMessagesMax ?? dataKeyMessagesMax,
      ageMaxMs: options.dataKeyAgeMaxMs ?? dataKeyAgeMaxMs,
    }, options.clock, sealingContextsMax);
    this.#unwrappedKeys = new UnwrappedKeyCache(options.unwrappedKeyCacheEntriesMax ?? unwrappedKeyCacheEntriesMax);
  }

  async seal(plaintext: Uint8Array, context: EncryptionContext): Promise<SealedEnvelope> {
    if (plaintext.length > plaintextBytesMax) throw new RangeError(`a sealed value holds at most ${plaintextBytesMax} bytes`);
    const additionalData = canonicalContext(context);
    const kmsContext = kmsContextOf(context);
    const contextKey = canonicalContext(kmsContext).toString('utf8');
    const dataKey = await this.#sealingKeys.take(contextKey, () => this.#generateDataKey(kmsContext, contextKey));
    const sealed = encrypt(dataKey.key, plaintext, additionalData);
    return {
      v: 1,
      masterKeyId: dataKey.keyArn,
      wrappedKey: dataKey.wrappedKey,
      iv: sealed.iv.toString('base64'),
      tag: sealed.tag.toString('base64'),
      ciphertext: sealed.ciphertext.toString('base64'),
    };
  }

  async open(envelope: SealedEnvelope, context: EncryptionContext): Promise<Uint8Array> {
    if (!kmsKeyArnPattern.test(envelope.masterKeyId)) {
      throw new Error('the envelope could not be opened: it was not sealed under a KMS key');
    }
    const additionalData = canonicalContext(context);
    const kmsContext = kmsContextOf(context);
    const key = await this.#unwrap(envelope, kmsContext);
    const sealed = {
      iv: decodeBase64(envelope.iv, 'nonce'),
      tag: decodeBase64(envelope.tag, 'tag'),
      ciphertext: decodeBase64(envelope.ciphertext, 'ciphertext'),
    };
    return new Uint8Array(decrypt(key, sealed, additionalData));
  }

  async #generateDataKey(kmsContext: Record<string, string>, contextKey: string): Promise<KmsDataKey> {
    const output = await this.#client.send(new GenerateDataKeyCommand({ KeyId: this.keyArn, KeySpec: 'AES_256', EncryptionContext: kmsContext }));
    const key = secretKeyFrom(required(output.Plaintext, 'Plaintext', 'GenerateDataKey'));
    const dataKey = {
      key,
      wrappedKey: Buffer.from(required(output.CiphertextBlob, 'CiphertextBlob', 'GenerateDataKey')).toString('base64'),
      keyArn: required(output.KeyId, 'KeyId', 'GenerateDataKey'),
    };
    this.#unwrappedKeys.set(`${contextKey}\0${dataKey.wrappedKey}`, key);
    return dataKey;
  }

  async #unwrap(envelope: SealedEnvelope, kmsContext: Record<string, string>): Promise<KeyObject> {
    // Cached under the KMS context too: a cached key must not open what KMS would refuse.
    const cacheKey = `${canonicalContext(kmsContext).toString('utf8')}\0${envelope.wrappedKey}`;
    const cached = this.#unwrappedKeys.get(cacheKey);
    if (cached !== undefined) return cached;
    const blob = decodeBase64(envelope.wrappedKey, 'wrapped key');
    let output;
    try {
      output = await this.#client.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: envelope.masterKeyId, EncryptionContext: kmsContext }));
    } catch (error) {
      // KMS's answer to a wrong context or an altered blob; anything else is infrastructure.
      if (error instanceof InvalidCiphertextException || error instanceof IncorrectKeyException) {
        throw new Error('the envelope could not be opened: KMS refused its data key (altered, or another context or key)');
      }
      throw error;
    }
    if (output.KeyId !== envelope.masterKeyId) throw new Error('the envelope could not be opened: KMS unwrapped it under another key');
    const key = secretKeyFrom(required(output.Plaintext, 'Plaintext', 'Decrypt'));
    this.#unwrappedKeys.set(cacheKey, key);
    return key;
  }
}

// The key vault for running without a cloud KMS: envelope encryption with AES-256-GCM under
// a master key kept in a local file, with data keys cached within limits.
import { randomBytes, createSecretKey, type KeyObject } from 'node:crypto';
import type { EncryptionContext, KeyVault } from '../../../app/ports/key-vault.ts';
import type { Clock } from '../../../app/ports/clock.ts';
import type { SealedEnvelope } from '../../../domain/crypto/envelope.ts';
import { canonicalContext, decrypt, encrypt, ivBytes, tagBytes } from './aes-gcm.ts';
import { SealingKeyCache, UnwrappedKeyCache, type DataKey } from './data-key-cache.ts';
import { loadOrCreateMasterKey, type MasterKey } from './master-key-file.ts';

/** Messages one data key seals before a new one is made; far below GCM's 2^32 random-nonce bound. */
export const dataKeyMessagesMax = 10_000;
/** How long one data key seals, so that a key in memory covers a bounded window of data. */
export const dataKeyAgeMaxMs = 5 * 60 * 1000;
/** Unwrapped data keys kept for opening. */
export const unwrappedKeyCacheEntriesMax = 1_000;
/** The largest value sealed at once; audit details and processor replies are far smaller. */
export const plaintextBytesMax = 4 * 1024 * 1024;

const dataKeyBytes = 32;
const wrappedKeyBytes = ivBytes + tagBytes + dataKeyBytes;

export type LocalKeyVaultOptions = {
  /** Path of the master key file; created with mode 0600 (and its directory 0700) if missing. */
  readonly masterKeyFile: string;
  readonly clock: Clock;
  readonly dataKeyMessagesMax?: number;
  readonly dataKeyAgeMaxMs?: number;
  readonly unwrappedKeyCacheEntriesMax?: number;
};

export type LocalKeyVaultLimits = {
  readonly dataKeyMessagesMax: number;
  readonly dataKeyAgeMaxMs: number;
  readonly unwrappedKeyCacheEntriesMax: number;
};

function decodeBase64(value: string, part: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new Error(`the envelope could not be opened: its ${part} is not base64`);
  return Buffer.from(value, 'base64');
}

/** Runs synchronous work as a promise, so that a throw becomes a rejection, as callers of the port expect. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(work());
  });
}

export class LocalKeyVault implements KeyVault {
  /** Names the master key in every envelope; a fingerprint, safe to log. */
  readonly masterKeyId: string;
  // Private fields (not TypeScript `private`) so that neither inspection nor JSON shows them.
  readonly #masterKey: KeyObject;
  readonly #wrapContext: Buffer;
  readonly #sealingKeys: SealingKeyCache;
  readonly #unwrappedKeys: UnwrappedKeyCache;

  constructor(masterKey: MasterKey, clock: Clock, limits: LocalKeyVaultLimits) {
    this.masterKeyId = masterKey.id;
    this.#masterKey = masterKey.key;
    // A wrapped data key is bound to the master key that wrapped it, not to any message.
    this.#wrapContext = Buffer.from(`contra-data-key-v1\0${masterKey.id}`, 'utf8');
    this.#sealingKeys = new SealingKeyCache({ messagesMax: limits.dataKeyMessagesMax, ageMaxMs: limits.dataKeyAgeMaxMs }, clock);
    this.#unwrappedKeys = new UnwrappedKeyCache(limits.unwrappedKeyCacheEntriesMax);
  }

  seal(plaintext: Uint8Array, context: EncryptionContext): Promise<SealedEnvelope> {
    return settle(() => {
      if (plaintext.length > plaintextBytesMax) throw new RangeError(`a sealed value holds at most ${plaintextBytesMax} bytes`);
      const additionalData = canonicalContext(context);
      const dataKey = this.#sealingKeys.take(() => this.#newDataKey());
      const sealed = encrypt(dataKey.key, plaintext, additionalData);
      return {
        v: 1,
        masterKeyId: this.masterKeyId,
        wrappedKey: dataKey.wrappedKey,
        iv: sealed.iv.toString('base64'),
        tag: sealed.tag.toString('base64'),
        ciphertext: sealed.ciphertext.toString('base64'),
      };
    });
  }

  open(envelope: SealedEnvelope, context: EncryptionContext): Promise<Uint8Array> {
    return settle(() => {
      if (envelope.masterKeyId !== this.masterKeyId) {
        throw new Error(`the envelope was sealed under master key ${envelope.masterKeyId}, not ${this.masterKeyId}`);
      }
      const additionalData = canonicalContext(context);
      const key = this.#unwrap(envelope.wrappedKey);
      const sealed = {
        iv: decodeBase64(envelope.iv, 'nonce'),
        tag: decodeBase64(envelope.tag, 'tag'),
        ciphertext: decodeBase64(envelope.ciphertext, 'ciphertext'),
      };
      return new Uint8Array(decrypt(key, sealed, additionalData));
    });
  }

  #newDataKey(): DataKey {
    const bytes = randomBytes(dataKeyBytes);
    try {
      const wrapped = encrypt(this.#masterKey, bytes, this.#wrapContext);
      const dataKey = { key: createSecretKey(bytes), wrappedKey: Buffer.concat([wrapped.iv, wrapped.tag, wrapped.ciphertext]).toString('base64') };
      this.#unwrappedKeys.set(dataKey.wrappedKey, dataKey.key);
      return dataKey;
    } finally {
      bytes.fill(0);
    }
  }

  #unwrap(wrappedKey: string): KeyObject {
    const cached = this.#unwrappedKeys.get(wrappedKey);
    if (cached !== undefined) return cached;
    const wrapped = decodeBase64(wrappedKey, 'wrapped key');
    if (wrapped.length !== wrappedKeyBytes) throw new Error('the envelope could not be opened: its wrapped key has the wrong length');
    const bytes = decrypt(this.#masterKey, {
      iv: wrapped.subarray(0, ivBytes),
      tag: wrapped.subarray(ivBytes, ivBytes + tagBytes),
      ciphertext: wrapped.subarray(ivBytes + tagBytes),
    }, this.#wrapContext);
    try {
      const key = createSecretKey(bytes);
      this.#unwrappedKeys.set(wrappedKey, key);
      return key;
    } finally {
      bytes.fill(0);
    }
  }
}

/**
 * Opens the vault over its master key file, creating the file on first start. Refuses to
 * start when the file is readable by group or others or does not hold a 32-byte key.
 */
export async function openLocalKeyVault(options: LocalKeyVaultOptions): Promise<LocalKeyVault> {
  const masterKey = await loadOrCreateMasterKey(options.masterKeyFile);
  return new LocalKeyVault(masterKey, options.clock, {
    dataKeyMessagesMax: options.dataKeyMessagesMax ?? dataKeyMessagesMax,
    dataKeyAgeMaxMs: options.dataKeyAgeMaxMs ?? dataKeyAgeMaxMs,
    unwrappedKeyCacheEntriesMax: options.unwrappedKeyCacheEntriesMax ?? unwrappedKeyCacheEntriesMax,
  });
}

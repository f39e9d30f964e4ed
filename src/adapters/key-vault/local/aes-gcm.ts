// AES-256-GCM as the local key vault uses it, for data keys under the master key and for
// values under a data key; and the canonical form of an encryption context as associated data.
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import type { EncryptionContext } from '../../../app/ports/key-vault.ts';

const algorithm = 'aes-256-gcm';
/** The nonce size GCM is specified for; random nonces of this size are safe for 2^32 messages per key. */
export const ivBytes = 12;
/** Full-length tags only: Node would otherwise accept a truncated tag, which is easier to forge. */
export const tagBytes = 16;
/** More entries than any caller needs (tenant, record id, purpose); a bound on what is hashed. */
export const encryptionContextEntriesMax = 16;

export type GcmSealed = { readonly iv: Buffer; readonly tag: Buffer; readonly ciphertext: Buffer };

export function encrypt(key: KeyObject, plaintext: Uint8Array, additionalData: Uint8Array): GcmSealed {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv(algorithm, key, iv, { authTagLength: tagBytes });
  cipher.setAAD(additionalData);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

/** Throws when the key, the associated data or any byte of the sealed parts differs. */
export function decrypt(key: KeyObject, sealed: GcmSealed, additionalData: Uint8Array): Buffer {
  if (sealed.iv.length !== ivBytes || sealed.tag.length !== tagBytes) {
    throw new Error('the envelope could not be opened: its nonce or tag has the wrong length');
  }
  const decipher = createDecipheriv(algorithm, key, sealed.iv, { authTagLength: tagBytes });
  decipher.setAAD(additionalData);
  decipher.setAuthTag(sealed.tag);
  try {
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch {
    // Node's message ("Unsupported state or unable to authenticate data") says nothing useful.
    throw new Error('the envelope could not be opened: it was altered, or its context or key differs');
  }
}

/**
 * The context as bytes that do not depend on key order or on a serializer: sorted pairs
 * in JSON, under a version label. Two contexts produce the same bytes only if they are equal.
 */
export function canonicalContext(context: EncryptionContext): Buffer {
  // Callers are typed, but a context built from parsed input could still carry a non-string.
  const entries = Object.entries(context as Readonly<Record<string, unknown>>);
  if (entries.length > encryptionContextEntriesMax) {
    throw new RangeError(`an encryption context holds at most ${encryptionContextEntriesMax} entries`);
  }
  for (const [name, value] of entries) {
    if (typeof value !== 'string') throw new TypeError(`encryption context entry '${name}' must be a string`);
  }
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(['contra-envelope-v1', entries]), 'utf8');
}

// The stored shape of a value under envelope encryption: the data key that encrypted it,
// itself wrapped by the key vault's master key (or KMS key), plus AES-256-GCM output. The
// domain only carries and hashes envelopes; sealing and opening happen in the key vault.

export type SealedEnvelope = {
  /** Format version of the envelope. */
  readonly v: 1;
  /** Which master key wrapped the data key (a key file fingerprint or a KMS key ARN). */
  readonly masterKeyId: string;
  /** The data key, wrapped by the master key (base64). */
  readonly wrappedKey: string;
  /** AES-256-GCM nonce, authentication tag and ciphertext (base64). */
  readonly iv: string;
  readonly tag: string;
  readonly ciphertext: string;
};

export function isSealedEnvelope(value: unknown): value is SealedEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return candidate['v'] === 1
    && ['masterKeyId', 'wrappedKey', 'iv', 'tag', 'ciphertext'].every((key) => typeof candidate[key] === 'string');
}

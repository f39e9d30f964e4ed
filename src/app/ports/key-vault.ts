// Envelope encryption (DESIGN.md "Audit trail", P1 SecureToken): values are sealed with a
// data key that the vault wraps under its master key. The associated data (tenant and
// record id) binds a ciphertext to the record it belongs to: opening it under any other
// context fails.
import type { SealedEnvelope } from '../../domain/crypto/envelope.ts';

export type EncryptionContext = Readonly<Record<string, string>>;

export interface KeyVault {
  seal(plaintext: Uint8Array, context: EncryptionContext): Promise<SealedEnvelope>;
  /** Throws when the envelope was altered or the context differs from the sealing one. */
  open(envelope: SealedEnvelope, context: EncryptionContext): Promise<Uint8Array>;
}

// JSON values under any key vault: the value is serialized as UTF-8 JSON and sealed, and an
// opened envelope is parsed back. Money travels as decimal strings; a bigint is refused.
import type { EncryptionContext, KeyVault } from '../../app/ports/key-vault.ts';
import type { JsonValue } from '../../app/ports/store.ts';
import type { SealedEnvelope } from '../../domain/crypto/envelope.ts';

/**
 * JSON.stringify would drop NaN and Infinity as null and throw an unhelpful message on a
 * bigint: either way the opened value would not be the sealed one, so both are refused here.
 */
function strictReplacer(key: string, value: unknown): unknown {
  if (typeof value === 'bigint') {
    throw new TypeError(`sealJson: '${key}' is a bigint; convert it to a decimal string before sealing`);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`sealJson: '${key}' is not a finite number`);
  }
  return value;
}

export async function sealJson(vault: KeyVault, value: JsonValue, context: EncryptionContext): Promise<SealedEnvelope> {
  const text = JSON.stringify(value, strictReplacer);
  return vault.seal(new TextEncoder().encode(text), context);
}

/** Throws as `KeyVault.open` does, and when the opened bytes are not UTF-8 JSON. */
export async function openJson(vault: KeyVault, envelope: SealedEnvelope, context: EncryptionContext): Promise<JsonValue> {
  const bytes = await vault.open(envelope, context);
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as JsonValue;
}

// Specification of the local key vault: envelopes open only under their own context and
// master key, any altered byte is refused, and data keys are reused only within limits.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Clock } from '../../../app/ports/clock.ts';
import type { SealedEnvelope } from '../../../domain/crypto/envelope.ts';
import { openLocalKeyVault, type LocalKeyVault, type LocalKeyVaultOptions } from './local-key-vault.ts';

const context = { tenant: 'tenant-1', record: 'aud_01' };
const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

class FakeClock implements Clock {
  nowMs = 1_700_000_000_000;
  now(): number {
    return this.nowMs;
  }
}

/** Flips one bit of a base64 field, keeping it valid base64 of the same length. */
function flipped(base64: string, byteIndex = 0): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[byteIndex] = (bytes[byteIndex] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

describe('local key vault', () => {
  let directory: string;
  let keyFile: string;
  let vault: LocalKeyVault;
  let clock: FakeClock;
  const open = (options: Partial<LocalKeyVaultOptions> = {}) =>
    openLocalKeyVault({ masterKeyFile: keyFile, clock, ...options });

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'contra-vault-'));
    keyFile = join(directory, 'keys', 'master.key');
    clock = new FakeClock();
    vault = await open();
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('opens what it sealed, under the same context', async () => {
    for (const text of ['', 'card 4242', '₦5,000.00 credited back', 'x'.repeat(100_000)]) {
      const envelope = await vault.seal(encode(text), context);
      assert.equal(envelope.v, 1);
      assert.equal(envelope.masterKeyId, vault.masterKeyId);
      assert.equal(decode(await vault.open(envelope, context)), text);
    }
  });

  it('treats the context as a set of pairs, whatever the order of its keys', async () => {
    const envelope = await vault.seal(encode('details'), { a: '1', b: '2' });
    assert.equal(decode(await vault.open(envelope, { b: '2', a: '1' })), 'details');
  });

  it('refuses to open under any other context', async () => {
    const envelope = await vault.seal(encode('details'), context);
    const others = [
      { tenant: 'tenant-2', record: 'aud_01' },
      { tenant: 'tenant-1', record: 'aud_02' },
      { tenant: 'tenant-1' },
      { ...context, purpose: 'audit' },
      {},
      { tenant: 'tenant-1aud_01', record: '' },
    ];
    for (const other of others) {
      await assert.rejects(vault.open(envelope, other), /could not be opened/, JSON.stringify(other));
    }
  });

  it('refuses an envelope with any part altered', async () => {
    const envelope = await vault.seal(encode('the original details'), context);
    const altered: readonly [string, SealedEnvelope][] = [
      ['ciphertext', { ...envelope, ciphertext: flipped(envelope.ciphertext, 3) }],
      ['tag', { ...envelope, tag: flipped(envelope.tag, 15) }],
      ['nonce', { ...envelope, iv: flipped(envelope.iv) }],
      ['wrapped key nonce', { ...envelope, wrappedKey: flipped(envelope.wrappedKey, 0) }],
      ['wrapped key tag', { ...envelope, wrappedKey: flipped(envelope.wrappedKey, 20) }],
      ['wrapped key ciphertext', { ...envelope, wrappedKey: flipped(envelope.wrappedKey, 50) }],
      ['truncated tag', { ...envelope, tag: Buffer.from(envelope.tag, 'base64').subarray(0, 12).toString('base64') }],
      ['truncated ciphertext', { ...envelope, ciphertext: Buffer.from(envelope.ciphertext, 'base64').subarray(1).toString('base64') }],
      ['not base64', { ...envelope, ciphertext: `${envelope.ciphertext}!` }],
      ['master key id', { ...envelope, masterKeyId: 'local:0000000000000000' }],
    ];
    // A fresh vault has no unwrapped key cached, so the wrapped key is really unwrapped.
    const reopened = await open();
    for (const [part, envelopeAltered] of altered) {
      await assert.rejects(reopened.open(envelopeAltered, context), Error, part);
    }
    assert.equal(decode(await reopened.open(envelope, context)), 'the original details');
  });

  it('never puts the plaintext in the envelope', async () => {
    const plaintext = 'card number 4242424242424242 and cvc 123';
    const envelope = await vault.seal(encode(plaintext), context);
    const stored = JSON.stringify(envelope);
    for (const form of [plaintext, '4242424242424242', Buffer.from(plaintext).toString('base64'), Buffer.from(plaintext).toString('hex')]) {
      assert.ok(!stored.includes(form), form);
    }
  });

  it('uses a fresh nonce for every message, even under the same data key', async () => {
    const first = await vault.seal(encode('same'), context);
    const second = await vault.seal(encode('same'), context);
    assert.equal(first.wrappedKey, second.wrappedKey);
    assert.notEqual(first.iv, second.iv);
    assert.notEqual(first.ciphertext, second.ciphertext);
  });

  it('opens old envelopes after being reopened over the same key file', async () => {
    const envelope = await vault.seal(encode('kept for years'), context);
    const reopened = await open();
    assert.equal(reopened.masterKeyId, vault.masterKeyId);
    assert.equal(decode(await reopened.open(envelope, context)), 'kept for years');
  });

  it('cannot open envelopes of another master key, even when the key id is forged', async () => {
    const other = await openLocalKeyVault({ masterKeyFile: join(directory, 'other', 'master.key'), clock });
    assert.notEqual(other.masterKeyId, vault.masterKeyId);
    const envelope = await vault.seal(encode('secret'), context);
    await assert.rejects(other.open(envelope, context), /sealed under master key/);
    await assert.rejects(other.open({ ...envelope, masterKeyId: other.masterKeyId }, context), /could not be opened/);
  });

  it('reuses a data key until it has sealed dataKeyMessagesMax messages', async () => {
    const limited = await open({ dataKeyMessagesMax: 3 });
    const envelopes = [];
    for (let index = 0; index < 7; index++) envelopes.push(await limited.seal(encode(`message ${index}`), context));
    const keys = envelopes.map((envelope) => envelope.wrappedKey);
    assert.equal(new Set(keys.slice(0, 3)).size, 1);
    assert.equal(new Set(keys.slice(3, 6)).size, 1);
    assert.equal(new Set([keys[0], keys[3], keys[6]]).size, 3);
    for (const [index, envelope] of envelopes.entries()) assert.equal(decode(await limited.open(envelope, context)), `message ${index}`);
  });

  it('replaces a data key once it is dataKeyAgeMaxMs old, and when the clock goes backwards', async () => {
    const limited = await open({ dataKeyAgeMaxMs: 1_000 });
    const sealAt = async (nowMs: number) => {
      clock.nowMs = nowMs;
      return (await limited.seal(encode('tick'), context)).wrappedKey;
    };
    const start = clock.nowMs;
    const first = await sealAt(start);
    assert.equal(await sealAt(start + 999), first);
    const second = await sealAt(start + 1_000);
    assert.notEqual(second, first);
    assert.equal(await sealAt(start + 1_500), second);
    // Back to before the key was made: its age is unknowable.
    assert.notEqual(await sealAt(start + 900), second);
  });

  it('opens envelopes of many data keys with a cache of one unwrapped key', async () => {
    const limited = await open({ dataKeyMessagesMax: 1, unwrappedKeyCacheEntriesMax: 1 });
    const envelopes = [];
    for (let index = 0; index < 5; index++) envelopes.push(await limited.seal(encode(`message ${index}`), context));
    assert.equal(new Set(envelopes.map((envelope) => envelope.wrappedKey)).size, 5);
    for (const [index, envelope] of [...envelopes.entries()].reverse()) {
      assert.equal(decode(await limited.open(envelope, context)), `message ${index}`);
    }
  });

  it('never shows the master key, whether inspected, serialized or in an error', async () => {
    const keyText = (await readFile(keyFile, 'latin1')).trim();
    const keyHex = Buffer.from(keyText, 'base64').toString('hex');
    assert.match(vault.masterKeyId, /^local:[0-9a-f]{16}$/);
    const shown = [inspect(vault, { showHidden: true, depth: 10 }), JSON.stringify(vault)];
    const envelope = await vault.seal(encode('details'), context);
    await vault.open(envelope, {}).catch((error: unknown) => shown.push(inspect(error)));
    assert.equal(shown.length, 3);
    for (const text of shown) {
      assert.ok(!text.includes(keyText) && !text.includes(keyHex), text);
    }
  });

  it('refuses contexts with non-string values or too many entries', async () => {
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`key${index}`, 'value']));
    await assert.rejects(vault.seal(encode('x'), many), RangeError);
    const parsed = JSON.parse('{"tenant": 1}') as Record<string, string>;
    await assert.rejects(vault.seal(encode('x'), parsed), TypeError);
  });
});

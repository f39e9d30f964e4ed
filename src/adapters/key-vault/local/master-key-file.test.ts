// Specification of the master key file: created owner-only, refused when others could read
// it or when it does not hold a 32-byte key, and its content never shown in a message.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadOrCreateMasterKey, MasterKeyError } from './master-key-file.ts';

const ownerOnly = process.platform !== 'win32';

describe('master key file', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'contra-master-key-'));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('creates a missing key file with mode 0600 in a new directory with mode 0700', { skip: !ownerOnly }, async () => {
    const keyDirectory = join(directory, 'created', 'keys');
    const path = join(keyDirectory, 'master.key');
    const key = await loadOrCreateMasterKey(path);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(keyDirectory)).mode & 0o777, 0o700);
    assert.equal((await stat(join(directory, 'created'))).mode & 0o777, 0o700);
    assert.match((await readFile(path, 'latin1')), /^[A-Za-z0-9+/]{43}=\n$/);
    assert.deepEqual(await readdir(keyDirectory), ['master.key']);
    assert.equal((await loadOrCreateMasterKey(path)).id, key.id);
  });

  it('gives two processes starting at once the same key', async () => {
    const path = join(directory, 'race', 'master.key');
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateMasterKey(path)));
    assert.equal(new Set(keys.map((key) => key.id)).size, 1);
    assert.deepEqual(await readdir(join(directory, 'race')), ['master.key']);
  });

  it('reads a raw 32-byte key and its base64 form as the same key', async () => {
    const bytes = randomBytes(32);
    const raw = join(directory, 'raw.key');
    const text = join(directory, 'text.key');
    await writeFile(raw, bytes, { mode: 0o600 });
    await writeFile(text, `${bytes.toString('base64')}\r\n`, { mode: 0o600 });
    assert.equal((await loadOrCreateMasterKey(raw)).id, (await loadOrCreateMasterKey(text)).id);
  });

  it('refuses a key file that group or others can read or write', { skip: !ownerOnly }, async () => {
    const bytes = randomBytes(32);
    for (const mode of [0o644, 0o640, 0o604, 0o620, 0o602]) {
      const path = join(directory, `mode-${mode.toString(8)}.key`);
      await writeFile(path, bytes.toString('base64'));
      await chmod(path, mode);
      await assert.rejects(loadOrCreateMasterKey(path), (error: unknown) => {
        assert.ok(error instanceof MasterKeyError);
        assert.match(error.message, new RegExp(`mode 0${mode.toString(8)}`));
        assert.ok(!error.message.includes(bytes.toString('base64')));
        return true;
      });
    }
  });

  it('refuses a key file that does not hold a 32-byte key, without showing its content', async () => {
    const contents = [
      randomBytes(16),
      randomBytes(31),
      randomBytes(33),
      Buffer.from(randomBytes(16).toString('base64')),
      Buffer.from(randomBytes(32).toString('hex')),
      Buffer.from(''),
      randomBytes(4096),
    ];
    for (const [index, content] of contents.entries()) {
      const path = join(directory, `length-${index}.key`);
      await writeFile(path, content, { mode: 0o600 });
      await assert.rejects(loadOrCreateMasterKey(path), (error: unknown) => {
        assert.ok(error instanceof MasterKeyError);
        assert.match(error.message, /must hold 32 bytes/);
        if (content.length > 0) assert.ok(!error.message.includes(content.toString('latin1')));
        return true;
      });
    }
  });

  it('refuses a directory where the key file should be', async () => {
    const path = join(directory, 'a-directory.key');
    await mkdir(path, { mode: 0o700 });
    await assert.rejects(loadOrCreateMasterKey(path));
  });
});

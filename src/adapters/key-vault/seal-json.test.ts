// Specification of sealing JSON values: they round-trip exactly, values that JSON would
// silently change are refused, and the context binds as it does for bytes.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JsonValue } from '../../app/ports/store.ts';
import { openLocalKeyVault, type LocalKeyVault } from './local/local-key-vault.ts';
import { openJson, sealJson } from './seal-json.ts';

const context = { tenant: 'tenant-1', record: 'aud_01' };

describe('sealing JSON values', () => {
  let directory: string;
  let vault: LocalKeyVault;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'contra-seal-json-'));
    vault = await openLocalKeyVault({ masterKeyFile: join(directory, 'master.key'), clock: { now: () => 0 } });
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('opens the value it sealed', async () => {
    const values: JsonValue[] = [
      null,
      'ok',
      0,
      -12.5,
      true,
      [],
      { query: { transaction_id: 'a-2' }, response: { entries: [{ amount: '100.00', status: 'PAYMENT-SUCCESS' }] } },
      { message: '₦5,000.00 has been credited back', nested: [[1, 2], { deep: [null] }] },
    ];
    for (const value of values) {
      assert.deepEqual(await openJson(vault, await sealJson(vault, value, context), context), value);
    }
  });

  it('refuses a bigint, which JSON cannot carry', async () => {
    const value = { amountMinor: 10_000n } as unknown as JsonValue;
    await assert.rejects(sealJson(vault, value, context), /'amountMinor' is a bigint/);
  });

  it('refuses numbers that JSON would turn into null', async () => {
    for (const number of [Number.NaN, Number.POSITIVE_INFINITY]) {
      await assert.rejects(sealJson(vault, { rate: number }, context), /'rate' is not a finite number/);
    }
  });

  it('refuses to open under another context', async () => {
    const envelope = await sealJson(vault, { secret: true }, context);
    await assert.rejects(openJson(vault, envelope, { ...context, record: 'aud_02' }), /could not be opened/);
  });
});

// The SQLite store: the conformance suite on a real temporary file, then what is particular
// to SQLite (append-only triggers, durability settings, reopening, group commit, migrations).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { runStoreConformance } from '../conformance.ts';
import { systemClock } from '../../system/system-clock.ts';
import type { Changeset } from '../../../app/ports/store.ts';
import type { AccountId, AuditRecordId, TenantId, TransferId } from '../../../domain/ids.ts';
import { openSqliteStore, type SqliteStore } from './sqlite-store.ts';
import { openDatabase } from './sql.ts';
import { groupCommitChangesetsMax } from './group-commit.ts';

const directory = mkdtempSync(join(tmpdir(), 'contra-sqlite-'));
after(() => {
  rmSync(directory, { recursive: true, force: true });
});
let files = 0;
const newPath = (): string => join(directory, `store-${++files}.db`);

runStoreConformance('sqlite', () => openSqliteStore({ path: newPath(), clock: systemClock }));

const tenantId = 'ten_sqlite' as TenantId;
const at = 1_700_000_000_000;

function journal(): Changeset {
  return {
    tenantId,
    at,
    accounts: [
      { id: 'clearing' as AccountId, tenantId, type: 'processor_clearing', currency: 'NGN', name: 'clearing', allowNegative: true },
      { id: 'merchant' as AccountId, tenantId, type: 'merchant', currency: 'NGN', name: 'merchant', allowNegative: true },
    ],
    transfers: [{ id: 't-1' as TransferId, kind: 'posted', debitAccountId: 'clearing' as AccountId, creditAccountId: 'merchant' as AccountId, amountMinor: 10n ** 15n, currency: 'NGN', code: 'payment' }],
    ledgerEntries: [{ transactionId: 'txn-1', sequence: 1, status: 'PAYMENT-SUCCESS', at, transferIds: ['t-1' as TransferId], details: {} }],
    audit: [{ id: 'a-1' as AuditRecordId, stream: 'txn:txn-1', at, action: 'payment.succeeded', initiator: 'test', status: 'PAYMENT-SUCCESS' }],
  };
}

async function withFilledStore(test: (store: SqliteStore, path: string) => Promise<void> | void): Promise<void> {
  const path = newPath();
  const store = await openSqliteStore({ path, clock: systemClock, busyTimeoutMs: 50 });
  try {
    await store.migrate();
    assert.ok((await store.commit(journal())).ok);
    await store.sealAuditCheckpoint(tenantId, at);
    await test(store, path);
  } finally {
    await store.close();
  }
}

function audit(id: string): Changeset {
  return { tenantId, at, audit: [{ id: id as AuditRecordId, stream: 'tenant', at, action: 'x', initiator: 'test', status: 'OK' }] };
}

describe('sqlite store', () => {
  it('refuses UPDATE and DELETE of journal and audit rows in the database itself', () => withFilledStore((_store, path) => {
    const database = new Database(path);
    try {
      for (const table of ['transfers', 'account_balances', 'ledger_entries', 'audit_records', 'audit_checkpoints']) {
        assert.throws(() => database.prepare(`UPDATE ${table} SET tenant_id = 'other'`).run(), /append-only/, `${table} refuses UPDATE`);
        assert.throws(() => database.prepare(`DELETE FROM ${table}`).run(), /append-only/, `${table} refuses DELETE`);
      }
      assert.throws(() => database.prepare("UPDATE accounts SET currency = 'USD'").run(), /only balances change/);
      assert.throws(() => database.prepare('DELETE FROM accounts').run(), /never deleted/);
    } finally {
      database.close();
    }
  }));

  it('moves audit stream heads forward only: no update that does not raise one, no delete (migration v2)', () => withFilledStore(async (store, path) => {
    const database = new Database(path);
    try {
      assert.throws(() => database.prepare('UPDATE audit_heads SET sequence = sequence - 1').run(), /forward only/, 'moved back');
      assert.throws(() => database.prepare("UPDATE audit_heads SET hash = 'x'").run(), /forward only/, 'rewritten in place');
      assert.throws(() => database.prepare('DELETE FROM audit_heads').run(), /never deleted/);
    } finally {
      database.close();
    }
    assert.ok((await store.commit(audit('h-1'))).ok, 'an append still moves the head on');
  }));

  it('runs in WAL mode with synchronous=FULL and foreign keys on', async () => {
    const path = newPath();
    const database = openDatabase(path);
    try {
      assert.equal(database.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(database.pragma('synchronous', { simple: true }), 2n, 'FULL');
      assert.equal(database.pragma('foreign_keys', { simple: true }), 1n);
    } finally {
      database.close();
    }
    await withFilledStore((_store, filled) => {
      assert.ok(existsSync(`${filled}-wal`), 'commits go through the write-ahead log');
      const second = new Database(filled, { readonly: true });
      try {
        assert.equal(second.pragma('journal_mode', { simple: true }), 'wal', 'WAL is a property of the file');
      } finally {
        second.close();
      }
    });
  });

  it('keeps every committed row across close and reopen', async () => {
    const path = newPath();
    let now = at;
    const clock = { now: () => now };
    const first = await openSqliteStore({ path, clock });
    await first.migrate();
    const committed = await first.commit(journal());
    assert.ok(committed.ok);
    const before = await first.dumpState();
    await first.close();
    now = at - 60_000;
    const reopened = await openSqliteStore({ path, clock });
    try {
      await reopened.migrate();
      assert.equal(await reopened.dumpState(), before);
      assert.equal((await reopened.getAccounts(tenantId, ['merchant' as AccountId])).get('merchant' as AccountId)?.creditsPosted, 10n ** 15n);
      const later = await reopened.commit(audit('a-2'));
      assert.ok(later.ok && later.committedAt > committed.committedAt, 'committedAt keeps increasing though the clock went back');
    } finally {
      await reopened.close();
    }
  });

  it('commits changesets of one tick in one transaction, and more than a batch in several', () => withFilledStore(async (store) => {
    const together = await Promise.all([store.commit(audit('b-1')), store.commit(audit('b-2')), store.commit(audit('b-3'))]);
    const times = together.map((result) => (result.ok ? result.committedAt : null));
    assert.ok(times[0] !== null && times.every((time) => time === times[0]), 'one transaction, one committedAt');
    const many = await Promise.all(Array.from({ length: groupCommitChangesetsMax * 2 + 3 }, (_, index) => store.commit(audit(`m-${index}`))));
    assert.ok(many.every((result) => result.ok));
    assert.equal(new Set(many.map((result) => result.committedAt)).size, 3);
    assert.equal((await store.auditHeads(tenantId)).find((head) => head.stream === 'tenant')?.sequence, 3 + many.length);
  }));

  it('rejects only the changeset whose own write breaks a constraint; the rest of the batch commits', () => withFilledStore(async (store) => {
    const [duplicate, fine] = await Promise.allSettled([store.commit(audit('a-1')), store.commit(audit('c-1'))]);
    assert.equal(duplicate.status, 'rejected', 'an audit id used twice is a bug');
    assert.deepEqual(fine.status === 'fulfilled' ? fine.value.ok : fine.reason, true);
    assert.equal((await store.listAudit(tenantId, {}, { limit: 10 })).items.length, 2);
  }));

  it('rejects every changeset of a batch when the write lock cannot be had, and writes none of them', () => withFilledStore(async (store, path) => {
    const before = await store.dumpState();
    const blocker = new Database(path);
    try {
      blocker.exec('BEGIN IMMEDIATE');
      const results = await Promise.allSettled([store.commit(audit('d-1')), store.commit(audit('d-2'))]);
      assert.deepEqual(results.map((result) => result.status), ['rejected', 'rejected']);
      assert.match(String(results[0].status === 'rejected' ? results[0].reason : ''), /locked|busy/i);
      blocker.exec('ROLLBACK');
    } finally {
      blocker.close();
    }
    assert.equal(await store.dumpState(), before);
    assert.ok((await store.commit(audit('d-3'))).ok, 'the store recovers once the lock is free');
  }));

  it('refuses to run on a schema newer than it knows', () => withFilledStore(async (store, path) => {
    const other = new Database(path);
    try {
      other.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)").run();
    } finally {
      other.close();
    }
    await assert.rejects(store.migrate(), /newer than this build/);
  }));

  it('refuses a forged page cursor', () => withFilledStore(async (store) => {
    await assert.rejects(store.listRecords(tenantId, 'payment', { limit: 10, cursor: 'not-a-cursor' }), /invalid page cursor/);
    await assert.rejects(store.listAudit(tenantId, {}, { limit: 10, cursor: Buffer.from('c1.-5').toString('base64url') }), /invalid page cursor/);
  }));

  it('works in memory for quick tests', async () => {
    const store = await openSqliteStore({ path: ':memory:', clock: systemClock });
    try {
      await store.migrate();
      assert.ok((await store.commit(journal())).ok);
      assert.deepEqual(await store.listTenantIds(), [tenantId]);
    } finally {
      await store.close();
    }
  });

  it('commits what is still queued when it is closed, and refuses commits after', async () => {
    const store = await openSqliteStore({ path: newPath(), clock: systemClock });
    await store.migrate();
    const pending = store.commit(journal());
    await store.close();
    assert.ok((await pending).ok);
    await assert.rejects(store.commit(audit('late')), /closed/);
  });
});

// The PaymentAuditTrail over HTTP (A1–A5): every action and ledger read is recorded,
// auditors alone read decrypted details, and verify names the first record that was
// edited, deleted or reordered directly in the database.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { TenantId } from '../../src/domain/ids.ts';
import { verifyAuditTrail } from '../../src/app/audit/verify-audit.ts';
import { testStoreKind } from '../support/test-store.ts';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, paymentBody, type Tenant } from '../support/client.ts';

type AuditRow = { id: string; action: string; initiator: string; transaction_id: string | null; details: unknown; sequence: number; stream: string };

/** These tests edit the SQLite file itself; PostgreSQL's protections are tested in src/adapters/store/postgres. */
function sqliteOnly(): string | false {
  return testStoreKind() === 'sqlite' ? false : 'edits the SQLite file directly';
}

describe('audit trail', () => {
  let service: TestService;
  let tenant: Tenant;
  beforeEach(async () => {
    service = await startService();
    tenant = await createTenant(service);
    for (const id of ['a-1', 'a-2', 'a-3']) {
      await call(service, 'POST', '/api/v1/payments', paymentBody(id), { token: tenant.keys['service']! });
    }
    await call(service, 'GET', '/api/v1/payments/a-2/ledger', undefined, { token: tenant.keys['operator']! });
  });
  const audit = (query: string, token = tenant.keys['auditor']!) => call(service, 'GET', `/api/v1/audit${query}`, undefined, { token });
  const verify = () => call(service, 'GET', '/api/v1/audit/verify', undefined, { token: tenant.keys['auditor']! });

  const closeAfter = async (test: () => Promise<void> | void) => {
    try {
      await test();
    } finally {
      await service.close();
    }
  };

  it('records every payment step and the ledger read, with decrypted details for auditors', () => closeAfter(async () => {
    const found = await audit('?transaction_id=a-2');
    assert.equal(found.status, 200, found.text);
    const rows = found.body['data'] as AuditRow[];
    assert.deepEqual(rows.map((row) => row.action), ['payment.initiated', 'payment.pending', 'payment.succeeded', 'ledger.read']);
    const read = rows[3]!;
    assert.ok(read.initiator.startsWith('api_key:'));
    const details = read.details as { query: { transaction_id: string }; response: { entries: unknown[] } };
    assert.equal(details.query.transaction_id, 'a-2');
    assert.equal(details.response.entries.length, 3);
    const byAction = await audit('?action=ledger.read');
    assert.equal((byAction.body['data'] as AuditRow[]).length, 1);
  }));

  it('refuses audit search to every role but auditor', () => closeAfter(async () => {
    for (const role of ['admin', 'operator', 'approver', 'service']) {
      const response = await audit('', tenant.keys[role]);
      assert.equal(response.status, 403, role);
    }
  }));

  it('verifies an untouched trail as intact', () => closeAfter(async () => {
    const response = await verify();
    assert.equal(response.status, 200);
    assert.equal(response.body['status'], 'intact', response.text);
    assert.ok(Number(response.body['records_checked']) >= 10);
  }));

  it('stays intact while payments are written during the verification', () => closeAfter(async () => {
    await service.runtime.deps.store.sealAuditCheckpoint(tenant.tenantId as TenantId, Date.now());
    const writes = Array.from({ length: 30 }, (_, index) =>
      call(service, 'POST', '/api/v1/payments', paymentBody(`during-${index}`), { token: tenant.keys['service']! }));
    const verifications = Array.from({ length: 10 }, () => verify());
    const results = await Promise.all(verifications);
    await Promise.all(writes);
    for (const result of results) assert.equal(result.body['status'], 'intact', result.text);
    assert.equal((await verify()).body['status'], 'intact');
  }));

  const tamper = (sql: (db: Database.Database, victim: { id: string; stream: string; sequence: number }) => void, problem: string) => async () => {
    const database = new Database(join(service.dataDir, 'contra.db'));
    try {
      database.pragma('busy_timeout = 5000');
      const victim = database.prepare("SELECT id, stream, sequence FROM audit_records WHERE stream = 'txn:a-2' AND sequence = 2").get() as { id: string; stream: string; sequence: number };
      database.exec('DROP TRIGGER IF EXISTS audit_records_no_update; DROP TRIGGER IF EXISTS audit_records_no_delete;');
      for (const trigger of database.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_records'").all() as { name: string }[]) {
        database.exec(`DROP TRIGGER "${trigger.name}"`);
      }
      sql(database, victim);
      const response = await verify();
      assert.equal(response.body['status'], 'broken', response.text);
      const broken = response.body['first_broken'] as { record_id: string; stream: string; sequence: number; problem: string };
      assert.equal(broken.stream, 'txn:a-2');
      assert.equal(broken.problem, problem, response.text);
      return broken;
    } finally {
      database.close();
    }
  };

  it('names an edited record', { skip: sqliteOnly() }, () => closeAfter(async () => {
    const broken = await tamper((db, victim) => {
      db.prepare('UPDATE audit_records SET status = ? WHERE id = ?').run('PAYMENT-SUCCESS', victim.id);
    }, 'hash_mismatch')();
    assert.equal(broken.sequence, 2);
  }));

  it('names the record after a deleted one', { skip: sqliteOnly() }, () => closeAfter(async () => {
    const broken = await tamper((db, victim) => {
      db.prepare('DELETE FROM audit_records WHERE id = ?').run(victim.id);
    }, 'sequence_gap')();
    assert.equal(broken.sequence, 3);
  }));

  it('names reordered records', { skip: sqliteOnly() }, () => closeAfter(async () => {
    const broken = await tamper((db) => {
      db.prepare("UPDATE audit_records SET sequence = -1 WHERE stream = 'txn:a-2' AND sequence = 3").run();
      db.prepare("UPDATE audit_records SET sequence = 3 WHERE stream = 'txn:a-2' AND sequence = 2").run();
      db.prepare("UPDATE audit_records SET sequence = 2 WHERE stream = 'txn:a-2' AND sequence = -1").run();
    }, 'sequence_out_of_order')();
    assert.equal(broken.sequence, 2);
  }));

  it('names records of one transaction reordered by their commit order alone, which search shows in that order', { skip: sqliteOnly() }, () => closeAfter(async () => {
    const actions = async () => ((await audit('?transaction_id=a-2')).body['data'] as AuditRow[]).map((row) => row.action);
    const before = await actions();
    const broken = await tamper((db) => {
      const [second, third] = db.prepare("SELECT seq FROM audit_records WHERE stream = 'txn:a-2' AND sequence IN (2, 3) ORDER BY sequence").all() as { seq: number }[];
      db.prepare('UPDATE audit_records SET seq = -1 WHERE seq = ?').run(second!.seq);
      db.prepare('UPDATE audit_records SET seq = ? WHERE seq = ?').run(second!.seq, third!.seq);
      db.prepare('UPDATE audit_records SET seq = ? WHERE seq = -1').run(third!.seq);
    }, 'sequence_out_of_order')();
    assert.notDeepEqual(await actions(), before, 'search now shows #3 before #2');
    assert.equal(broken.sequence, 2);
  }));

  it('names a removed last record through the stream head', { skip: sqliteOnly() }, () => closeAfter(async () => {
    await tamper((db) => {
      db.prepare("DELETE FROM audit_records WHERE stream = 'txn:a-2' AND sequence = (SELECT MAX(sequence) FROM audit_records WHERE stream = 'txn:a-2')").run();
    }, 'head_mismatch')();
  }));

  it('names a truncated stream tail through its head, which the database refuses to move back or delete', { skip: sqliteOnly() }, () => closeAfter(async () => {
    await service.runtime.deps.store.sealAuditCheckpoint(tenant.tenantId as TenantId, Date.now());
    // A record after the checkpoint: only the stream head vouches for it.
    assert.equal((await call(service, 'GET', '/api/v1/payments/a-2/ledger', undefined, { token: tenant.keys['operator']! })).status, 200);
    const broken = await tamper((db) => {
      const last = db.prepare("SELECT sequence FROM audit_records WHERE stream = 'txn:a-2' ORDER BY sequence DESC LIMIT 1").get() as { sequence: number };
      db.prepare("DELETE FROM audit_records WHERE stream = 'txn:a-2' AND sequence = ?").run(last.sequence);
      const previous = db.prepare("SELECT sequence, hash FROM audit_records WHERE stream = 'txn:a-2' AND sequence = ?").get(last.sequence - 1) as { sequence: number; hash: string };
      assert.throws(() => db.prepare("UPDATE audit_heads SET sequence = ?, hash = ? WHERE stream = 'txn:a-2'").run(previous.sequence, previous.hash), /forward only/);
      assert.throws(() => db.prepare("DELETE FROM audit_heads WHERE stream = 'txn:a-2'").run(), /never deleted/);
    }, 'head_mismatch')();
    assert.equal(broken.sequence, 4, 'the records now end at #4, below the head');
  }));

  it('names a checkpoint removed from the middle of the checkpoint chain', { skip: sqliteOnly() }, () => closeAfter(async () => {
    const tenantId = tenant.tenantId as TenantId;
    for (const offset of [0, 1, 2]) {
      await service.runtime.deps.store.sealAuditCheckpoint(tenantId, Date.now() + offset);
      await call(service, 'GET', '/api/v1/payments/a-2/ledger', undefined, { token: tenant.keys['operator']! });
    }
    assert.equal((await verify()).body['status'], 'intact');
    const database = new Database(join(service.dataDir, 'contra.db'));
    try {
      for (const trigger of database.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_checkpoints'").all() as { name: string }[]) {
        database.exec(`DROP TRIGGER "${trigger.name}"`);
      }
      database.prepare('DELETE FROM audit_checkpoints WHERE tenant_id = ? AND sequence = 2').run(tenantId);
    } finally {
      database.close();
    }
    const response = await verify();
    assert.equal(response.body['status'], 'broken', response.text);
    assert.deepEqual(response.body['first_broken'], { record_id: '', stream: '', sequence: 0, problem: 'checkpoint_mismatch' });
    const verification = await verifyAuditTrail(service.runtime.deps, tenantId);
    assert.match(verification.firstBroken?.detail ?? '', /checkpoint #2 is missing before checkpoint #3/);
  }));

  it('refuses UPDATE and DELETE of audit rows while the database protections are in place', { skip: sqliteOnly() }, () => closeAfter(() => {
    const database = new Database(join(service.dataDir, 'contra.db'));
    try {
      assert.throws(() => database.prepare("UPDATE audit_records SET status = 'X'").run());
      assert.throws(() => database.prepare('DELETE FROM audit_records').run());
    } finally {
      database.close();
    }
  }));
});

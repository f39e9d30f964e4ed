// What is particular to the PostgreSQL store: row-level security as a second wall (a query
// that declares no tenant sees nothing, one that declares another tenant sees nothing of
// this one), append-only journal and audit tables enforced by the database, audit
// tampering that bypasses those triggers still caught by verification, and 16 concurrent
// writers on the same hot accounts that never break a balance limit nor deadlock.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Changeset } from '../../../app/ports/store.ts';
import { createAuditVerifier } from '../../../domain/audit/verify-chain.ts';
import type { AccountId, AuditRecordId, TenantId, TransferId } from '../../../domain/ids.ts';
import { systemClock } from '../../system/system-clock.ts';
import { openPostgresStore, type PostgresStore } from './postgres-store.ts';
import { appendOnlyTables, tenantTables } from './schema.ts';
import { createTestSchema, probeTestDatabase, withTestClient, type TestSchema } from './test-database.ts';

const availability = await probeTestDatabase();
const skip = availability.available ? false : `no PostgreSQL: ${availability.reason}`;
const at = 1_700_000_000_000;

function tenant(): TenantId {
  return `ten_pg_${randomUUID().slice(0, 8)}` as TenantId;
}

function opening(tenantId: TenantId, suffix = ''): Changeset {
  const account = (id: string, type: 'processor_clearing' | 'merchant' | 'customer', allowNegative: boolean) => ({
    id: `${id}${suffix}` as AccountId, tenantId, type, currency: 'NGN' as const, name: id, allowNegative,
  });
  return {
    tenantId, at,
    accounts: [account('clearing', 'processor_clearing', true), account('merchant', 'merchant', true), account('customer', 'customer', false)],
    records: [{ kind: 'payment', id: `p-1${suffix}`, body: { step: 1 }, expectedVersion: 0 }],
    transfers: [{ id: `t-1${suffix}` as TransferId, kind: 'posted', debitAccountId: `clearing${suffix}` as AccountId, creditAccountId: `customer${suffix}` as AccountId, amountMinor: 1_000n, currency: 'NGN', code: 'funding' }],
    ledgerEntries: [{ transactionId: `txn-1${suffix}`, sequence: 1, status: 'PAYMENT-SUCCESS', at, transferIds: [], details: {} }],
    audit: [
      { id: `a-1${suffix}` as AuditRecordId, stream: 'txn:1', at, action: 'payment.succeeded', initiator: 'test', status: 'PAYMENT-SUCCESS' },
      { id: `a-2${suffix}` as AuditRecordId, stream: 'txn:1', at, action: 'ledger.read', initiator: 'test', status: 'READ' },
      { id: `a-3${suffix}` as AuditRecordId, stream: 'txn:1', at, action: 'ledger.read', initiator: 'test', status: 'READ' },
    ],
  };
}

/** The schema this file's tests run in, set before the first test. */
let currentUrl = '';

function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withTestClient(currentUrl, work);
}

/** Runs `edit` in one transaction of the tenant as an owner who disables the append-only trigger of audit_records around it. */
function editingAudit(tenantId: string, edit: (client: pg.Client) => Promise<void>): Promise<void> {
  return withClient(async (client) => {
    await client.query('BEGIN');
    await client.query(`SET LOCAL contra.tenant_ids = '${tenantId}'`);
    await client.query('ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only');
    await edit(client);
    await client.query('ALTER TABLE audit_records ENABLE TRIGGER audit_records_append_only');
    await client.query('COMMIT');
  });
}

async function count(client: pg.Client, table: string): Promise<number> {
  const result = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
  return Number(result.rows[0]?.n);
}

void describe('postgresql store protections', { skip }, () => {
  let store: PostgresStore;
  let schema: TestSchema;
  before(async () => {
    schema = await createTestSchema('protections');
    currentUrl = schema.url;
    store = openPostgresStore({ connectionString: currentUrl, clock: systemClock });
    await store.migrate();
  });
  after(async () => {
    await store.close();
    await schema.drop();
  });

  void it('shows no row of any tenant table to a query that declares no tenant, or another tenant', async () => {
    const tenantId = tenant();
    assert.ok((await store.commit(opening(tenantId))).ok);
    await withClient(async (client) => {
      for (const table of tenantTables.filter((name) => name !== 'outbox')) {
        assert.equal(await count(client, table), 0, `${table} without contra.tenant_ids`);
      }
      await client.query('BEGIN');
      await client.query(`SET LOCAL contra.tenant_ids = '${tenant()}'`);
      assert.equal(await count(client, 'records'), 0, 'another tenant sees nothing');
      await client.query(`SET LOCAL contra.tenant_ids = '${tenantId}'`);
      assert.equal(await count(client, 'records'), 1, 'the tenant itself sees its record');
      assert.equal(await count(client, 'transfers'), 1);
      await client.query('ROLLBACK');
      await assert.rejects(client.query(`INSERT INTO records (tenant_id, kind, id, version, body, created_at, updated_at) VALUES ($1, 'x', 'y', 1, '{}', 0, 0)`, [tenantId]),
        /row-level security/, 'nor can it write a row of a tenant it did not declare');
    });
  });

  // v10's one-statement commit, and v9's, which stays for processes of the previous build during a rolling upgrade.
  for (const commit of ['contra_batch_commit_v10', 'contra_batch_commit']) {
    void it(`lets the one-statement batch write (${commit}) only the tenants it declares`, async () => {
      const tenantId = tenant();
      assert.ok((await store.commit(opening(tenantId))).ok);
      const ledger = (owner: TenantId) => JSON.stringify({
        committed_at: at,
        ledger: [{ tenant_id: owner, transaction_id: 'txn-x', sequence: 1, status: 'PAYMENT-SUCCESS', at, transfer_ids: '[]', details: '{}' }],
      });
      await withClient(async (client) => {
        await assert.rejects(client.query(`SELECT ${commit}($1, $2)`, [tenant(), ledger(tenantId)]), /row-level security/,
          'a row of a tenant the statement did not declare');
        await client.query(`SELECT ${commit}($1, $2)`, [tenantId, ledger(tenantId)]);
        assert.equal(await count(client, 'ledger_entries'), 0, 'the declaration ended with its statement');
        await client.query(`SET contra.tenant_ids = '${tenantId}'`);
        assert.equal(await count(client, 'ledger_entries'), 2, 'the opening entry and the one the declared tenant wrote');
      });
    });
  }

  void it('refuses a batch whose transfer names an account the batch neither locked nor created (migrations v9, v10), writing nothing', async () => {
    const tenantId = tenant();
    assert.ok((await store.commit(opening(tenantId))).ok);
    const balances = { debits_posted: '1000', credits_posted: '0', debits_pending: '0', credits_pending: '0' };
    const batch = (creditAccountId: string) => JSON.stringify({
      committed_at: at + 1,
      accounts_changed: [{ tenant_id: tenantId, id: 'clearing', ...balances, debits_posted: '1005' }],
      transfers: [{ ord: 0, tenant_id: tenantId, id: 't-stray', kind: 'posted', debit_account_id: 'clearing', credit_account_id: creditAccountId, amount_minor: '5', currency: 'NGN', code: 'stray' }],
      history: [{ ord: 0, tenant_id: tenantId, account_id: 'clearing', transfer_id: 't-stray', ...balances, debits_posted: '1005' }],
    });
    await withClient(async (client) => {
      // No foreign key would stop these: the function's own check is the protection.
      const keys = await client.query("SELECT conname FROM pg_constraint WHERE conrelid = 'transfers'::regclass AND contype = 'f' AND conname LIKE '%account_id%'");
      assert.deepEqual(keys.rows, []);
      for (const commit of ['contra_batch_commit_v10', 'contra_batch_commit']) {
        for (const credit of ['nowhere', 'merchant']) {
          await assert.rejects(client.query(`SELECT ${commit}($1, $2)`, [tenantId, batch(credit)]),
            (error: unknown) => (error as { code?: string }).code === '23503', `${commit}: a transfer crediting ${credit}, an account the batch did not lock`);
        }
      }
      await client.query(`SET contra.tenant_ids = '${tenantId}'`);
      assert.equal(await count(client, 'transfers'), 1, 'only the opening transfer');
      const clearing = await client.query<{ debits_posted: string }>("SELECT debits_posted::text FROM accounts WHERE id = 'clearing'");
      assert.equal(clearing.rows[0]?.debits_posted, '1000', 'the account the stray batches locked kept its balance');
    });
  });

  void it('refuses UPDATE, DELETE and TRUNCATE of journal and audit rows, and changes to what an account is', async () => {
    const tenantId = tenant();
    assert.ok((await store.commit(opening(tenantId))).ok);
    await store.sealAuditCheckpoint(tenantId, at);
    await withClient(async (client) => {
      await client.query(`SET contra.tenant_ids = '${tenantId}'`);
      for (const table of appendOnlyTables) {
        assert.equal(await count(client, table) > 0, true, `${table} has a row to protect`);
        await assert.rejects(client.query(`UPDATE ${table} SET tenant_id = tenant_id`), /append-only/, `UPDATE ${table}`);
        await assert.rejects(client.query(`DELETE FROM ${table}`), /append-only/, `DELETE ${table}`);
        await assert.rejects(client.query(`TRUNCATE ${table} CASCADE`), /append-only/, `TRUNCATE ${table}`);
      }
      await assert.rejects(client.query("UPDATE accounts SET currency = 'USD'"), /only balances change/);
      await assert.rejects(client.query('DELETE FROM accounts'), /never deleted/);
      assert.equal((await client.query('UPDATE accounts SET debits_posted = debits_posted')).rowCount, 3, 'balances may change');
    });
  });

  void it('refuses to move an audit stream head back, delete or truncate heads (migration v11), while appends still move them on', async () => {
    const tenantId = tenant();
    assert.ok((await store.commit(opening(tenantId))).ok);
    await withClient(async (client) => {
      await client.query(`SET contra.tenant_ids = '${tenantId}'`);
      await assert.rejects(client.query("UPDATE audit_heads SET sequence = 2, hash = 'x' WHERE stream = 'txn:1'"), /forward only/, 'moved back');
      await assert.rejects(client.query("UPDATE audit_heads SET hash = 'x' WHERE stream = 'txn:1'"), /forward only/, 'rewritten in place');
      await assert.rejects(client.query('DELETE FROM audit_heads'), /never deleted/);
      await assert.rejects(client.query('TRUNCATE audit_heads'), /never deleted/);
    });
    const more = { tenantId, at, audit: [{ id: 'a-4' as AuditRecordId, stream: 'txn:1', at, action: 'ledger.read', initiator: 'test', status: 'READ' }] };
    assert.ok((await store.commit(more)).ok);
    assert.deepEqual((await store.auditHeads(tenantId)).map((head) => head.sequence), [4]);
  });

  void it('names the edited record even when an owner disables the append-only triggers to edit it', async () => {
    const tenantId = tenant();
    assert.ok((await store.commit(opening(tenantId))).ok);
    await editingAudit(tenantId, async (client) => {
      await client.query("UPDATE audit_records SET status = 'FORGED' WHERE tenant_id = $1 AND id = 'a-2'", [tenantId]);
    });
    const verifier = createAuditVerifier({ checkpoint: null });
    const heads = await store.scanAudit(tenantId, () => (record) => { verifier.visit(record); });
    const report = verifier.finish(heads, null);
    assert.deepEqual([report.status, report.firstBroken?.recordId, report.firstBroken?.problem], ['broken', 'a-2', 'hash_mismatch'], JSON.stringify(report));
  });

  void it('names records of a stream reordered by their commit order (seq) alone, as search would list them (migration v12)', async () => {
    const tenantId = tenant();
    assert.ok((await store.commit(opening(tenantId))).ok);
    await editingAudit(tenantId, async (client) => {
      const seqs = (await client.query<{ seq: string }>("SELECT seq::text FROM audit_records WHERE id IN ('a-2', 'a-3') ORDER BY sequence")).rows.map((row) => row.seq);
      await client.query("UPDATE audit_records SET seq = -seq WHERE id = 'a-2'");
      await client.query("UPDATE audit_records SET seq = $1 WHERE id = 'a-3'", [seqs[0]]);
      await client.query("UPDATE audit_records SET seq = $1 WHERE id = 'a-2'", [seqs[1]]);
    });
    assert.deepEqual((await store.listAudit(tenantId, {}, { limit: 10 })).items.map((record) => record.id), ['a-1', 'a-3', 'a-2'], 'search follows seq');
    const verifier = createAuditVerifier({ checkpoint: null });
    const heads = await store.scanAudit(tenantId, () => (record) => { verifier.visit(record); });
    const report = verifier.finish(heads, null);
    assert.deepEqual([report.status, report.firstBroken?.recordId, report.firstBroken?.problem], ['broken', 'a-2', 'sequence_out_of_order'], JSON.stringify(report));
  });

  void it('keeps every balance limit and debits = credits with 16 concurrent writers on 3 hot accounts', async () => {
    const tenantId = tenant();
    assert.ok((await store.commit(opening(tenantId))).ok);
    // Four processes' worth of stores, each with 4 batches in flight: 16 transactions at once.
    const stores = Array.from({ length: 4 }, () => openPostgresStore({ connectionString: currentUrl, clock: systemClock, poolSize: 5, batchesInFlight: 4 }));
    try {
      const spend = (index: number) => stores[index % stores.length]!.commit({
        tenantId, at,
        transfers: [
          { id: `spend-${index}` as TransferId, kind: 'posted', debitAccountId: 'customer' as AccountId, creditAccountId: 'merchant' as AccountId, amountMinor: 7n, currency: 'NGN', code: 'spend' },
          { id: `fee-${index}` as TransferId, kind: 'posted', debitAccountId: 'merchant' as AccountId, creditAccountId: 'clearing' as AccountId, amountMinor: 1n, currency: 'NGN', code: 'fee' },
        ],
      });
      const results = await Promise.all(Array.from({ length: 400 }, (_, index) => spend(index)));
      const committed = results.filter((result) => result.ok).length;
      assert.equal(committed, Math.floor(1_000 / 7), 'exactly as many as the customer could afford');
      assert.ok(results.every((result) => result.ok || result.conflict.kind === 'balance_limit'), JSON.stringify(results.find((result) => !result.ok)));
      const customer = (await store.getAccounts(tenantId, ['customer' as AccountId])).get('customer' as AccountId);
      assert.equal(customer?.debitsPosted, BigInt(committed) * 7n);
      const totals = (await store.journalTotals(tenantId)).get('NGN');
      assert.equal(totals?.debits.debitsPosted, totals?.credits.creditsPosted);
    } finally {
      await Promise.all(stores.map((item) => item.close()));
    }
  });
});

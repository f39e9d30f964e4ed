// Upgrading a database that already holds a ledger: a schema at migration v6 with accounts,
// transfers and their balance history, written as v6 left them, is migrated to the newest
// version by the store itself (v7's functions, v8's rebuilt history key) and must read the
// same and keep committing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { AccountId, TenantId, TransferId } from '../../../domain/ids.ts';
import { systemClock } from '../../system/system-clock.ts';
import { pgMigrations } from './migrations.ts';
import { openPostgresStore } from './postgres-store.ts';
import { createTestSchema, probeTestDatabase, withTestClient, type TestSchema } from './test-database.ts';

const availability = await probeTestDatabase();
const skip = availability.available ? false : `no PostgreSQL: ${availability.reason}`;
const tenantId = 'ten_upgrade' as TenantId;
const at = 1_700_000_000_000;

/** The schema as a build that knew migrations up to `version` left it. */
async function migrateUpTo(client: pg.Client, version: number): Promise<void> {
  await client.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)');
  for (const migration of pgMigrations.filter((each) => each.version <= version)) {
    await client.query(migration.sql);
    await client.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [migration.version, migration.name, at]);
  }
}

/** Two accounts and three transfers a → b of 10, in three commits, rows as v6's functions wrote them. */
async function ledgerAsV6WroteIt(client: pg.Client): Promise<void> {
  await client.query('BEGIN');
  await client.query(`SET LOCAL contra.tenant_ids = '${tenantId}'`);
  await client.query('INSERT INTO tenants (tenant_id, first_committed_at) VALUES ($1, $2)', [tenantId, at]);
  await client.query(`INSERT INTO accounts (tenant_id, id, type, currency, name, allow_negative, created_at, debits_posted, credits_posted, debits_pending, credits_pending, last_committed_at)
    VALUES ($1, 'a', 'merchant', 'NGN', 'a', true, $2, 30, 0, 0, 0, $3), ($1, 'b', 'merchant', 'NGN', 'b', true, $2, 0, 30, 0, 0, $3)`, [tenantId, at, at + 3]);
  for (let index = 1; index <= 3; index++) {
    const inserted = await client.query<{ sequence: string }>(`INSERT INTO transfers (tenant_id, id, kind, debit_account_id, credit_account_id, amount_minor, currency, code, committed_at)
      VALUES ($1, $2, 'posted', 'a', 'b', 10, 'NGN', 'old', $3) RETURNING sequence`, [tenantId, `old-${index}`, at + index]);
    const sequence = inserted.rows[0]?.sequence;
    await client.query(`INSERT INTO account_balances (tenant_id, account_id, transfer_sequence, committed_at, debits_posted, credits_posted, debits_pending, credits_pending)
      VALUES ($1, 'a', $2, $3, $4, 0, 0, 0), ($1, 'b', $2, $3, 0, $4, 0, 0)`, [tenantId, sequence, at + index, 10 * index]);
  }
  await client.query('COMMIT');
}

void describe('postgresql store upgraded from migration v6 with a ledger in it', { skip }, () => {
  let schema: TestSchema;
  before(async () => {
    schema = await createTestSchema('upgrade');
  });
  after(async () => schema.drop());

  void it('migrates to the newest version and reads, pages and commits as before', async () => {
    await withTestClient(schema.url, async (client) => {
      await migrateUpTo(client, 6);
      await ledgerAsV6WroteIt(client);
    });
    const store = openPostgresStore({ connectionString: schema.url, clock: systemClock, poolSize: 2 });
    try {
      await store.migrate();
      assert.deepEqual(await store.getBalancesAsOf(tenantId, 'a' as AccountId, at + 2), { debitsPosted: 20n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n });
      for (let index = 1; index <= 3; index++) {
        const result = await store.commit({
          tenantId, at,
          transfers: [{ id: `new-${index}` as TransferId, kind: 'posted', debitAccountId: 'b' as AccountId, creditAccountId: 'a' as AccountId, amountMinor: 3n, currency: 'NGN', code: 'new' }],
        });
        assert.ok(result.ok, JSON.stringify(result));
      }
      const listed: string[] = [];
      let page = await store.listAccountTransfers(tenantId, 'a' as AccountId, { limit: 2 });
      listed.push(...page.items.map((transfer) => transfer.id));
      while (page.nextCursor !== null) {
        page = await store.listAccountTransfers(tenantId, 'a' as AccountId, { limit: 2, cursor: page.nextCursor });
        listed.push(...page.items.map((transfer) => transfer.id));
      }
      assert.deepEqual(listed, ['old-1', 'old-2', 'old-3', 'new-1', 'new-2', 'new-3'], 'the rows from before the upgrade first, none skipped or repeated');
      const account = (await store.getAccounts(tenantId, ['a' as AccountId])).get('a' as AccountId);
      assert.deepEqual([account?.debitsPosted, account?.creditsPosted], [30n, 9n]);
      assert.deepEqual(await store.getBalancesAsOf(tenantId, 'a' as AccountId, Number.MAX_SAFE_INTEGER), { debitsPosted: 30n, creditsPosted: 9n, debitsPending: 0n, creditsPending: 0n });
    } finally {
      await store.close();
    }
  });
});

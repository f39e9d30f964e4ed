// Numbered migrations of the PostgreSQL store, applied in order inside one transaction
// that holds an advisory lock, so concurrent starts and repeated runs converge.
import type pg from 'pg';
import { schemaVersion1, schemaVersion2 } from './schema.ts';
import { schemaVersion3, schemaVersion4 } from './schema-batch.ts';
import { schemaVersion5 } from './schema-batch-v5.ts';
import { schemaVersion6 } from './schema-batch-v6.ts';
import { schemaVersion7 } from './schema-batch-v7.ts';
import { schemaVersion8 } from './schema-v8.ts';
import { schemaVersion9 } from './schema-v9.ts';
import { schemaVersion10 } from './schema-v10.ts';
import { schemaVersion11 } from './schema-v11.ts';
import { schemaVersion12 } from './schema-v12.ts';

type Migration = { readonly version: number; readonly name: string; readonly sql: string };

/** Append only: a released migration is never edited, a change is a new migration. */
export const pgMigrations: readonly Migration[] = [
  { version: 1, name: 'records, journal, payment ledger, audit trail, outbox; row-level security; append-only triggers', sql: schemaVersion1 },
  { version: 2, name: 'seed 004 tables: failed transactions, reversals, reconciliation logs, disputes, CBN reports', sql: schemaVersion2 },
  { version: 3, name: 'group commit functions: batch state and batch write, planned once per connection', sql: schemaVersion3 },
  { version: 4, name: 'cheaper protections on the hot path: accounts trigger on definition columns only, no history foreign keys', sql: schemaVersion4 },
  { version: 5, name: 'group commit functions over jsonb (parsed once), empty parts skipped', sql: schemaVersion5 },
  { version: 6, name: 'batch write checks expected account balances and record versions (batches decided on remembered rows)', sql: schemaVersion6 },
  { version: 7, name: 'a batch\'s account updates in one locking read and one update by address, not one statement per account', sql: schemaVersion7 },
  { version: 8, name: 'balance history keyed by (tenant, account, committed_at, transfer sequence), its one index for both orders', sql: schemaVersion8 },
  { version: 9, name: 'a transfer\'s accounts checked once per batch against the accounts it locked or created, not by two foreign keys per transfer', sql: schemaVersion9 },
  { version: 10, name: 'a batch decided on remembered rows is shifted, not refused, on accounts without a limit that another process moved', sql: schemaVersion10 },
  { version: 11, name: 'audit stream heads move forward only: no update that does not raise a head, no delete', sql: schemaVersion11 },
  { version: 12, name: 'audit records of a stream indexed in commit order, for the verification scan', sql: schemaVersion12 },
];

/** Any constant: every Contra process migrating this database takes the same lock. */
const migrationLockKey = 0x636f6e74;

export async function migrateSchema(pool: pg.Pool, appliedAt: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`);
    const applied = new Set((await client.query<{ version: bigint }>('SELECT version FROM schema_migrations')).rows.map((row) => Number(row.version)));
    const newest = Math.max(0, ...applied);
    const known = Math.max(...pgMigrations.map((migration) => migration.version));
    if (newest > known) throw new Error(`the database schema is at version ${newest}, newer than this build knows (${known}); upgrade Contra`);
    for (const migration of pgMigrations) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, appliedAt]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

// Numbered schema migrations of the SQLite store, applied in order inside one write
// transaction, so that concurrent starts and repeated runs converge on the same schema.
import type Database from 'better-sqlite3';
import { schemaVersion1 } from './schema-v1.ts';
import { schemaVersion2 } from './schema-v2.ts';
import { schemaVersion3 } from './schema-v3.ts';

type Migration = { readonly version: number; readonly name: string; readonly sql: string };

/** Append only: a released migration is never edited, a change is a new migration. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'records, journal, payment ledger, audit trail, outbox', sql: schemaVersion1 },
  { version: 2, name: 'audit stream heads move forward only', sql: schemaVersion2 },
  { version: 3, name: 'audit records of a stream indexed in commit order, for the verification scan', sql: schemaVersion3 },
];

const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
)`;

function appliedVersions(database: Database.Database): Set<number> {
  const rows = database.prepare<[]>('SELECT version FROM schema_migrations').pluck().all();
  return new Set(rows.map((value) => Number(value)));
}

/**
 * Applies every migration not yet applied. `BEGIN IMMEDIATE` takes the write lock first,
 * so a second process migrating at the same time waits and then finds nothing to do.
 */
export function migrateSchema(database: Database.Database, appliedAt: number): void {
  const migrateAll = database.transaction(() => {
    database.exec(createMigrationsTable);
    const applied = appliedVersions(database);
    const newest = Math.max(0, ...applied);
    const known = Math.max(...migrations.map((migration) => migration.version));
    if (newest > known) {
      throw new Error(`the database schema is at version ${newest}, newer than this build knows (${known}); upgrade Contra`);
    }
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      database.exec(migration.sql);
      database
        .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
        .run(migration.version, migration.name, appliedAt);
    }
  });
  migrateAll.immediate();
}

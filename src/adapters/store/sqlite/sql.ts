// The SQLite connection of the store: opened with the durability the ledger needs (WAL,
// synchronous=FULL) and wrapped in a cache of prepared statements that return bigints.
import Database from 'better-sqlite3';
import { invariant } from '../../../domain/invariant.ts';

/** How long a writer waits for another connection's write lock before failing with SQLITE_BUSY. */
export const busyTimeoutMs = 5_000;
/** SQLite's page cache per connection; the 2 MiB default makes every index insert of a large ledger go to the OS. */
export const pageCacheKib = 64 * 1024;

import type { Row, SqlValue } from '../rows/row.ts';

export type { Row, SqlValue };

const memoryPath = ':memory:';

/**
 * Opens the database file and sets every connection-level setting. Integers come back
 * as bigint on every statement (`defaultSafeIntegers`), so no balance or sequence can
 * ever pass through a JavaScript number on its way out of the database.
 */
export function openDatabase(path: string, waitForLockMs = busyTimeoutMs): Database.Database {
  const database = new Database(path, { timeout: waitForLockMs });
  try {
    const journalMode = database.pragma('journal_mode = WAL', { simple: true });
    // An in-memory database has no file to keep a write-ahead log in.
    invariant(path === memoryPath ? journalMode === 'memory' : journalMode === 'wal', `journal_mode is ${String(journalMode)}, not wal`);
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
    database.pragma(`cache_size = -${pageCacheKib}`);
    database.pragma(`busy_timeout = ${waitForLockMs}`);
    database.defaultSafeIntegers(true);
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}

/** Prepared statements by SQL text: each distinct statement is compiled once per connection. */
export class Sql {
  readonly database: Database.Database;
  readonly #statements = new Map<string, Database.Statement<SqlValue[], Row>>();

  constructor(database: Database.Database) {
    this.database = database;
  }

  statement(source: string): Database.Statement<SqlValue[], Row> {
    const cached = this.#statements.get(source);
    if (cached !== undefined) return cached;
    const prepared = this.database.prepare<SqlValue[], Row>(source);
    this.#statements.set(source, prepared);
    return prepared;
  }

  get(source: string, ...parameters: SqlValue[]): Row | undefined {
    return this.statement(source).get(...parameters);
  }

  all(source: string, ...parameters: SqlValue[]): Row[] {
    return this.statement(source).all(...parameters);
  }

  iterate(source: string, ...parameters: SqlValue[]): IterableIterator<Row> {
    return this.statement(source).iterate(...parameters);
  }

  /** Runs a write and returns how many rows it changed. */
  run(source: string, ...parameters: SqlValue[]): number {
    return this.statement(source).run(...parameters).changes;
  }

  get inTransaction(): boolean {
    return this.database.inTransaction;
  }
}

/**
 * The store's methods are synchronous underneath (better-sqlite3) but the port is
 * asynchronous; running the work inside the executor turns a throw into a rejection.
 */
export function settle<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(work());
  });
}

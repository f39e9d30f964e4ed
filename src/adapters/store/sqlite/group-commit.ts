// Group commit (DESIGN.md): changesets that arrive in the same tick are committed in one
// SQLite transaction, so one fsync serves them all, and each runs in its own savepoint so
// that a conflict refuses that changeset alone.
import type { Clock } from '../../../app/ports/clock.ts';
import type { Changeset, CommitResult } from '../../../app/ports/store.ts';
import { invariant } from '../../../domain/invariant.ts';
import Database from 'better-sqlite3';
import type { Sql } from './sql.ts';
import { applyChangeset } from './apply-changeset.ts';
import { numberOf } from '../rows/row-values.ts';

/** The most changesets one transaction commits; the rest wait for the next batch. */
export const groupCommitChangesetsMax = 64;

type Waiting = {
  readonly changeset: Changeset;
  readonly resolve: (result: CommitResult) => void;
  readonly reject: (error: unknown) => void;
};

/** What became of one changeset of a batch, known before the batch's COMMIT. */
type Outcome = { readonly result: CommitResult } | { readonly error: unknown };

/**
 * A bug confined to one changeset (a broken invariant, a constraint such as a duplicate
 * audit id) refuses that changeset only. Anything else from SQLite (busy, disk full,
 * I/O) means the transaction itself is in doubt, and the whole batch fails.
 */
function isConfinedToChangeset(error: unknown): boolean {
  if (error instanceof Database.SqliteError) return error.code.startsWith('SQLITE_CONSTRAINT');
  return error instanceof Error;
}

function rollbackSavepoint(sql: Sql): void {
  sql.run('ROLLBACK TO changeset');
  sql.run('RELEASE changeset');
}

function commitInSavepoint(sql: Sql, changeset: Changeset, committedAt: number): Outcome {
  sql.run('SAVEPOINT changeset');
  try {
    const conflict = applyChangeset(sql, changeset, committedAt);
    if (conflict === null) {
      sql.run('RELEASE changeset');
      return { result: { ok: true, committedAt } };
    }
    rollbackSavepoint(sql);
    return { result: { ok: false, conflict } };
  } catch (error) {
    if (!sql.inTransaction || !isConfinedToChangeset(error)) throw error;
    rollbackSavepoint(sql);
    return { error };
  }
}

const lastCommittedAtName = 'last_committed_at';

/** Strictly after every earlier transaction, read under the write lock so other processes count too. */
function nextCommittedAt(sql: Sql, clock: Clock): number {
  const row = sql.get('SELECT value FROM store_meta WHERE name = ?', lastCommittedAtName);
  const last = row === undefined ? 0 : numberOf(row, 'value');
  const now = clock.now();
  invariant(Number.isSafeInteger(now), `the clock returned ${now}, not a time in ms`);
  return Math.max(now, last + 1);
}

/** Commits a batch in one transaction; throws (after rolling back) if the transaction fails. */
function commitBatch(sql: Sql, clock: Clock, changesets: readonly Changeset[]): Outcome[] {
  sql.run('BEGIN IMMEDIATE');
  try {
    const committedAt = nextCommittedAt(sql, clock);
    const outcomes = changesets.map((changeset) => commitInSavepoint(sql, changeset, committedAt));
    if (outcomes.some((outcome) => 'result' in outcome && outcome.result.ok)) {
      sql.run(`INSERT INTO store_meta (name, value) VALUES (?, ?)
        ON CONFLICT (name) DO UPDATE SET value = excluded.value`, lastCommittedAtName, committedAt);
    }
    sql.run('COMMIT');
    return outcomes;
  } catch (error) {
    if (sql.inTransaction) sql.run('ROLLBACK');
    throw error;
  }
}

export class GroupCommitter {
  readonly #sql: Sql;
  readonly #clock: Clock;
  #queue: Waiting[] = [];
  #scheduled = false;

  constructor(sql: Sql, clock: Clock) {
    this.#sql = sql;
    this.#clock = clock;
  }

  submit(changeset: Changeset): Promise<CommitResult> {
    return new Promise<CommitResult>((resolve, reject) => {
      this.#queue.push({ changeset, resolve, reject });
      this.#schedule();
    });
  }

  /** Commits everything queued, batch after batch, without waiting for the next tick (used by close). */
  drain(): void {
    while (this.#queue.length > 0) this.#flushBatch();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flushBatch();
      // Between batches the event loop runs, so reads and new commits are not starved.
      if (this.#queue.length > 0) this.#schedule();
    });
  }

  #flushBatch(): void {
    const batch = this.#queue.splice(0, groupCommitChangesetsMax);
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = commitBatch(this.#sql, this.#clock, batch.map((waiting) => waiting.changeset));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    batch.forEach((waiting, index) => {
      const outcome = outcomes[index];
      invariant(outcome !== undefined, 'every changeset of a batch has an outcome');
      if ('result' in outcome) waiting.resolve(outcome.result);
      else waiting.reject(outcome.error);
    });
  }
}

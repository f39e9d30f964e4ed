// Group commit for PostgreSQL: changesets that arrive while a batch is in flight wait and
// go together in the next transaction — lock and read, decide in memory, write with a
// few multi-row statements, one COMMIT (one WAL flush, synchronous_commit untouched).
// A batch that lost a race with another process (deadlock, a unique key taken meanwhile)
// is decided again from fresh reads; a batch that fails otherwise is split, so a broken
// changeset fails alone.
import type pg from 'pg';
import type { Clock } from '../../../app/ports/clock.ts';
import type { Changeset, CommitResult } from '../../../app/ports/store.ts';
import { invariant } from '../../../domain/invariant.ts';
import { loadBatchState, tenantsOf } from './batch-state.ts';
import { decideChangeset, emptyWrites } from './batch-decide.ts';
import { writeBatch } from './batch-write.ts';
import { inTransaction, pgCode, pgErrors } from './pg.ts';

/** The most changesets one transaction commits; the rest wait for the next batch. */
export const pgGroupCommitChangesetsMax = 128;
/** How many times a batch that lost a race is decided again before it fails. */
export const batchAttemptsMax = 5;

type Waiting = { readonly changeset: Changeset; readonly resolve: (result: CommitResult) => void; readonly reject: (error: unknown) => void };
type Outcome = { readonly result: CommitResult } | { readonly error: unknown };

function lostRace(error: unknown): boolean {
  const code = pgCode(error);
  return code === pgErrors.deadlock || code === pgErrors.serialization || code === pgErrors.uniqueViolation;
}

export class PgGroupCommitter {
  readonly #pool: pg.Pool;
  readonly #clock: Clock;
  readonly #inFlightMax: number;
  #queue: Waiting[] = [];
  #inFlight = 0;
  #lastCommittedAt = 0;
  #idle: (() => void)[] = [];

  constructor(pool: pg.Pool, clock: Clock, inFlightMax = 1) {
    this.#pool = pool;
    this.#clock = clock;
    this.#inFlightMax = inFlightMax;
  }

  submit(changeset: Changeset): Promise<CommitResult> {
    return new Promise<CommitResult>((resolve, reject) => {
      this.#queue.push({ changeset, resolve, reject });
      this.#pump();
    });
  }

  /** Resolves once nothing is queued or in flight. */
  drained(): Promise<void> {
    if (this.#queue.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (this.#inFlight < this.#inFlightMax && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, pgGroupCommitChangesetsMax);
      this.#inFlight++;
      void this.#run(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
        if (this.#queue.length === 0 && this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
    }
  }

  async #run(batch: Waiting[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await this.#commitWithRetries(batch.map((waiting) => waiting.changeset));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // Find the changeset at fault: each alone.
      for (const waiting of batch) await this.#run([waiting]);
      return;
    }
    batch.forEach((waiting, index) => {
      const outcome = outcomes[index];
      invariant(outcome !== undefined, 'every changeset of a batch has an outcome');
      if ('result' in outcome) waiting.resolve(outcome.result);
      else waiting.reject(outcome.error);
    });
  }

  async #commitWithRetries(changesets: readonly Changeset[]): Promise<Outcome[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#commitOnce(changesets);
      } catch (error) {
        if (attempt >= batchAttemptsMax || !lostRace(error)) throw error;
      }
    }
  }

  async #commitOnce(changesets: readonly Changeset[]): Promise<Outcome[]> {
    return inTransaction(this.#pool, tenantsOf(changesets), 'write', async (client) => {
      const state = await loadBatchState(client, changesets);
      // After every earlier commit of this process and after the last transfer of every
      // account it touches, whatever other processes' clocks say.
      let committedAt = Math.max(this.#clock.now(), this.#lastCommittedAt + 1);
      for (const account of state.accounts.values()) committedAt = Math.max(committedAt, Number(account.lastCommittedAt) + 1);
      invariant(Number.isSafeInteger(committedAt), `committedAt ${committedAt} is not a time in ms`);
      const writes = emptyWrites();
      const outcomes: Outcome[] = changesets.map((changeset) => {
        try {
          const conflict = decideChangeset(state, changeset, writes);
          return { result: conflict === null ? { ok: true, committedAt } : { ok: false, conflict } };
        } catch (error) {
          return { error };
        }
      });
      await writeBatch(client, state, writes, committedAt);
      this.#lastCommittedAt = Math.max(this.#lastCommittedAt, committedAt);
      return outcomes;
    });
  }
}

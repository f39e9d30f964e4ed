// Group commit for PostgreSQL: changesets that arrive while a batch is in flight wait and
// go together in the next transaction — lock and read in one round trip, decide in
// memory, write with one multi-row statement per table and COMMIT in a second round trip
// (one WAL flush for the batch, synchronous_commit untouched).
// A batch that lost a race with another process (deadlock, a unique key taken meanwhile)
// is decided again from fresh reads; a batch that fails otherwise is split, so a broken
// changeset fails alone.
import type pg from 'pg';
import type { Clock } from '../../../app/ports/clock.ts';
import type { Changeset, CommitResult } from '../../../app/ports/store.ts';
import { invariant } from '../../../domain/invariant.ts';
import { batchStateFrom, stateQuery, tenantsOf } from './batch-state.ts';
import { decideChangeset, emptyWrites } from './batch-decide.ts';
import { writeQuery } from './batch-write.ts';
import { pgCode, pgErrors, tenantSetting } from './pg.ts';

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
  #scheduled = false;
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

  /**
   * Starts batches on the next turn of the event loop, not at once: callers whose commit
   * just resolved submit their next changeset in the promise jobs that follow, and they
   * all join one batch instead of the first few leaving alone (measured: 8 callers split
   * into alternating batches of about 4, each waiting for the other's).
   */
  #pump(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#start();
    });
  }

  #start(): void {
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

  /** Two round trips: lock and read (after BEGIN and the tenant declaration), then write and COMMIT. */
  async #commitOnce(changesets: readonly Changeset[]): Promise<Outcome[]> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      const begin = `BEGIN; SET LOCAL contra.tenant_ids = ${tenantSetting(tenantsOf(changesets))}`;
      const read = await client.query(`${begin}; ${stateQuery(changesets)}`) as unknown as pg.QueryResult<{ state: string }>[];
      const text = read[2]?.rows[0]?.state;
      invariant(text !== undefined, 'contra_batch_read returned nothing');
      const state = batchStateFrom(text);
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
      await client.query(`${writeQuery(state, writes, committedAt)}; COMMIT`);
      this.#lastCommittedAt = Math.max(this.#lastCommittedAt, committedAt);
      return outcomes;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

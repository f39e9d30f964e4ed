// Group commit for PostgreSQL: changesets that arrive while a batch is in flight wait and
// go together in the next transaction, decided in memory and written with one multi-row
// statement per table, with one WAL flush for the batch (synchronous_commit untouched).
// A batch whose rows this process remembers from its own last commits is decided first and
// written in one round trip — one statement, its own transaction — the write checking under
// lock every row it was decided on (batch-cache.ts, schema-batch-v6.ts and -v7.ts) — or,
// on accounts without a balance limit that another process moved meanwhile, shifting what
// it writes by what that process moved (schema-v10.ts); any other batch, or one whose
// remembered rows turn out stale, takes two: lock and read, then write and COMMIT.
// Refusals are only ever decided on a locked read. A batch that lost a race with another
// process (deadlock, a unique key taken meanwhile) is decided again from fresh reads; a
// batch that fails otherwise is split, so a broken changeset fails alone.
import type pg from 'pg';
import type { Clock } from '../../../app/ports/clock.ts';
import type { Changeset, CommitResult } from '../../../app/ports/store.ts';
import { invariant } from '../../../domain/invariant.ts';
import { applyDelta } from '../../../domain/journal/transfers.ts';
import { BatchCache, type Expected } from './batch-cache.ts';
import { batchStateFrom, stateQuery, tenantsOf, type BatchState } from './batch-state.ts';
import { decideChangeset, emptyWrites, type BatchWrites } from './batch-decide.ts';
import { commitStatement, shiftedFrom, writeDocument, writeQuery, type Shift, type Shifted } from './batch-write.ts';
import { pgCode, pgErrors, tenantIdsText, tenantSetting } from './pg.ts';

/** The most changesets one transaction commits; the rest wait for the next batch. */
export const pgGroupCommitChangesetsMax = 128;
/** How many times a batch that lost a race is decided again before it fails. */
export const batchAttemptsMax = 5;

type Waiting = { readonly changeset: Changeset; readonly resolve: (result: CommitResult) => void; readonly reject: (error: unknown) => void };
type Outcome = { readonly result: CommitResult } | { readonly error: unknown };

type Decided = { readonly state: BatchState; readonly outcomes: Outcome[]; readonly writes: BatchWrites; readonly committedAt: number };

/** A batch decided on remembered rows found them changed (schema-batch-v6.ts): decide it again on a locked read. */
function staleMemory(error: unknown): boolean {
  const code = pgCode(error);
  return code === pgErrors.staleBatch || code === pgErrors.uniqueViolation;
}

function lostRace(error: unknown): boolean {
  const code = pgCode(error);
  return code === pgErrors.deadlock || code === pgErrors.serialization || code === pgErrors.uniqueViolation;
}

/** Another process moved unlimited accounts meanwhile: they hold what the write shifted them to (schema-v10.ts). */
function applyShifts(state: BatchState, shifts: readonly Shift[]): void {
  for (const { accountKey, delta } of shifts) {
    const account = state.accounts.get(accountKey);
    invariant(account !== undefined, `a shifted account ${accountKey} is one the batch changed`);
    state.accounts.set(accountKey, { ...account, ...applyDelta(account, delta) });
  }
}

export class PgGroupCommitter {
  readonly #pool: pg.Pool;
  readonly #clock: Clock;
  readonly #inFlightMax: number;
  #queue: Waiting[] = [];
  #inFlight = 0;
  #scheduled = false;
  #lastCommittedAt = 0;
  readonly #cache = new BatchCache();
  /**
   * Batches committed in one round trip on remembered rows, after a locked read, and
   * remembered rows found stale; and of the first, those whose write shifted an unlimited
   * account another process had moved (schema-v10.ts).
   */
  readonly counts = { remembered: 0, read: 0, stale: 0, shifted: 0 };
  #idle: (() => void)[] = [];
  readonly #tenantKnown = (tenantId: string): boolean => this.#cache.knowsTenant(tenantId);

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

  /**
   * A batch whose rows this process remembers is decided first and written in one round
   * trip, the write checking what it was decided on (batch-cache.ts); otherwise, or when
   * that check fails, two round trips: lock and read, then write and COMMIT.
   */
  async #commitOnce(changesets: readonly Changeset[]): Promise<Outcome[]> {
    const remembered = this.#cache.stateFor(changesets, this.#clock.now());
    if (remembered !== null) {
      const outcomes = await this.#commitRemembered(changesets, remembered);
      if (outcomes !== null) return outcomes;
    }
    return this.#commitRead(changesets);
  }

  /** One round trip, or null when the batch must be decided on a locked read instead. */
  async #commitRemembered(changesets: readonly Changeset[], state: BatchState): Promise<Outcome[] | null> {
    const expected: Expected = { accounts: new Map(state.accounts) };
    const { outcomes, writes, committedAt } = this.#decide(state, changesets);
    // A refusal (or an error) is only ever given on rows read under lock.
    if (!outcomes.every((outcome) => 'result' in outcome && outcome.result.ok)) return null;
    let shifted: Shifted | null;
    try {
      const result = await this.#inOneStatement(changesets, commitStatement(tenantIdsText(tenantsOf(changesets)), writeDocument(state, writes, committedAt, expected, this.#tenantKnown)));
      shifted = shiftedFrom(result.rows[0]?.shifts);
    } catch (error) {
      if (!staleMemory(error)) {
        // Also when the answer could not be read: the batch may have committed.
        this.#cache.forget(changesets);
        throw error;
      }
      this.#cache.contended(changesets, this.#clock.now());
      this.counts.stale++;
      return null;
    }
    const stampedAt = shifted?.committedAt ?? committedAt;
    if (shifted !== null) {
      applyShifts(state, shifted.shifts);
      this.counts.shifted++;
    }
    this.#committed(state, writes, stampedAt);
    this.counts.remembered++;
    if (stampedAt === committedAt) return outcomes;
    return outcomes.map((outcome) => ('result' in outcome && outcome.result.ok ? { result: { ...outcome.result, committedAt: stampedAt } } : outcome));
  }

  async #commitRead(changesets: readonly Changeset[]): Promise<Outcome[]> {
    let decided: Decided | undefined;
    await this.#inTransaction(changesets, async (client, begin) => {
      const read = await client.query(`${begin}; ${stateQuery(changesets)}`) as unknown as pg.QueryResult<{ state: string }>[];
      const text = read[2]?.rows[0]?.state;
      invariant(text !== undefined, 'contra_batch_read returned nothing');
      const state = batchStateFrom(text);
      decided = { state, ...this.#decide(state, changesets) };
      await client.query(`${writeQuery(state, decided.writes, decided.committedAt, this.#tenantKnown)}; COMMIT`);
    });
    invariant(decided !== undefined, 'a committed batch was decided');
    this.#committed(decided.state, decided.writes, decided.committedAt);
    this.counts.read++;
    return decided.outcomes;
  }

  #decide(state: BatchState, changesets: readonly Changeset[]): Omit<Decided, 'state'> {
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
    return { outcomes, writes, committedAt };
  }

  #committed(state: BatchState, writes: BatchWrites, committedAt: number): void {
    this.#lastCommittedAt = Math.max(this.#lastCommittedAt, committedAt);
    this.#cache.remember(state, writes, committedAt);
  }

  /**
   * Runs one statement that is its own transaction on a pooled connection; if it fails,
   * forgets the rows the batch touched, since whether it committed may be unknown. A
   * connection whose statement failed without a PostgreSQL error is not reused.
   */
  async #inOneStatement(changesets: readonly Changeset[], statement: pg.QueryConfig): Promise<pg.QueryResult<{ shifts: unknown }>> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      return await client.query<{ shifts: unknown }>(statement);
    } catch (error) {
      this.#cache.forget(changesets);
      broken = pgCode(error) === undefined;
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Runs `work` in a transaction on a pooled connection (`begin` opens it and declares the
   * batch's tenants); rolls back if it throws, and then forgets the rows the batch touched,
   * since whether it committed may be unknown.
   */
  async #inTransaction(changesets: readonly Changeset[], work: (client: pg.PoolClient, begin: string) => Promise<unknown>): Promise<void> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await work(client, `BEGIN; SET LOCAL contra.tenant_ids = ${tenantSetting(tenantsOf(changesets))}`);
    } catch (error) {
      this.#cache.forget(changesets);
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

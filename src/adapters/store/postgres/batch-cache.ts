// What this process remembers of the rows its batches read and wrote, so that the next
// batch on the same accounts can be decided before touching the database and committed in
// one round trip instead of two (migration v6). Nothing here is trusted: each account a
// batch changes carries the balances it was decided on, and the write compares them under
// the row lock; every other assumption (a record at the version the changeset expects; a
// transfer, resolution, ledger position or audit sequence not yet taken) is checked by the
// constraint it would break. A batch whose assumptions fail writes nothing and is decided
// again from a locked read, which refreshes what is remembered.
import type { Changeset } from '../../../app/ports/store.ts';
import type { AuditStreamHead } from '../../../domain/audit/audit-record.ts';
import type { Transfer } from '../../../domain/journal/transfers.ts';
import { key, type BatchState } from './batch-state.ts';
import type { BatchWrites, LockedAccount } from './batch-decide.ts';

/** Rows remembered per kind; past it the oldest are forgotten. */
export const batchCacheRowsMax = 20_000;
/**
 * How long an account found stale is not decided on memory: another process writes it, and
 * each batch decided on a stale memory costs a refused write and a second round trip
 * (measured with two processes on the same 50 accounts: every batch stale, −26%). After
 * the pause one batch tries memory again.
 */
export const contendedPauseMs = 5_000;

/** A map that forgets its oldest entries past a bound. */
class Bounded<V> {
  readonly #rows = new Map<string, V>();

  get(rowKey: string): V | undefined {
    return this.#rows.get(rowKey);
  }

  set(rowKey: string, value: V): void {
    this.#rows.delete(rowKey);
    this.#rows.set(rowKey, value);
    if (this.#rows.size <= batchCacheRowsMax) return;
    for (const oldest of this.#rows.keys()) {
      this.#rows.delete(oldest);
      if (this.#rows.size <= batchCacheRowsMax * 0.9) break;
    }
  }

  delete(rowKey: string): void {
    this.#rows.delete(rowKey);
  }

  clear(): void {
    this.#rows.clear();
  }
}

/** The state a batch was decided on, as it stood before the decision changed it. */
export type Expected = {
  readonly accounts: ReadonlyMap<string, LockedAccount>;
};

export class BatchCache {
  readonly #accounts = new Bounded<LockedAccount>();
  readonly #heads = new Bounded<AuditStreamHead>();
  /** Pending transfers not yet resolved, as stored (transfers are never changed). */
  readonly #pendings = new Bounded<Transfer>();
  /** Accounts another process wrote since we remembered them: until when they are read under lock. */
  readonly #contended = new Bounded<number>();
  /** Tenants a commit of this process wrote to the tenant list (never deleted): not sent again. */
  readonly #tenants = new Bounded<true>();

  /** Whether a commit of this process already listed the tenant (the batch need not). */
  knowsTenant(tenantId: string): boolean {
    return this.#tenants.get(tenantId) === true;
  }

  /**
   * The state to decide `changesets` on without reading, or null when something they read
   * is not remembered (an account a transfer names, a pending transfer it resolves).
   * Records are taken to be at the version their first writer expects, and everything
   * absent from memory (transfers, resolutions, ledger positions, audit streams) absent.
   */
  stateFor(changesets: readonly Changeset[], now: number): BatchState | null {
    const state: BatchState = { records: new Map(), accounts: new Map(), transfers: new Map(), resolved: new Set(), ledgerEntries: new Set(), heads: new Map() };
    for (const { tenantId, records, transfers, audit } of changesets) {
      for (const write of records ?? []) {
        const recordKey = key(tenantId, write.kind, write.id);
        if (!state.records.has(recordKey) && write.expectedVersion > 0) state.records.set(recordKey, write.expectedVersion);
      }
      for (const transfer of transfers ?? []) {
        for (const accountId of [transfer.debitAccountId, transfer.creditAccountId]) {
          const accountKey = key(tenantId, accountId);
          const account = this.#accounts.get(accountKey);
          if (account === undefined || (this.#contended.get(accountKey) ?? 0) > now) return null;
          state.accounts.set(accountKey, account);
        }
        if (transfer.pendingId !== undefined) {
          const pendingKey = key(tenantId, transfer.pendingId);
          const pending = this.#pendings.get(pendingKey);
          if (pending === undefined) return null;
          state.transfers.set(pendingKey, pending);
        }
      }
      for (const append of audit ?? []) {
        const headKey = key(tenantId, append.stream);
        const head = this.#heads.get(headKey);
        if (head !== undefined) state.heads.set(headKey, head);
      }
    }
    return state;
  }

  /**
   * After a commit: the accounts, heads and pending transfers as the batch left them.
   * `state` is the batch state after the decision; the accounts it changed now carry
   * `committedAt` as their last commit, as the write function stamps them.
   */
  remember(state: BatchState, writes: BatchWrites, committedAt: number): void {
    for (const tenantId of writes.tenants) this.#tenants.set(tenantId, true);
    for (const [accountKey, account] of state.accounts) {
      const changed = writes.touchedAccounts.has(accountKey) || writes.newAccounts.has(accountKey);
      this.#accounts.set(accountKey, changed ? { ...account, lastCommittedAt: BigInt(committedAt) } : account);
    }
    for (const [headKey, head] of state.heads) this.#heads.set(headKey, head);
    for (const [transferKey, transfer] of state.transfers) {
      if (transfer.kind === 'pending' && !state.resolved.has(transferKey)) this.#pendings.set(transferKey, { ...transfer, committedAt });
      else this.#pendings.delete(transferKey);
    }
    for (const resolvedKey of state.resolved) this.#pendings.delete(resolvedKey);
  }

  /** After a batch failed (its outcome may be unknown): what it touched is read again next time. */
  forget(changesets: readonly Changeset[]): void {
    for (const { tenantId, accounts, transfers, audit } of changesets) {
      for (const account of accounts ?? []) this.#accounts.delete(key(tenantId, account.id));
      for (const transfer of transfers ?? []) {
        this.#accounts.delete(key(tenantId, transfer.debitAccountId));
        this.#accounts.delete(key(tenantId, transfer.creditAccountId));
        if (transfer.pendingId !== undefined) this.#pendings.delete(key(tenantId, transfer.pendingId));
      }
      for (const append of audit ?? []) this.#heads.delete(key(tenantId, append.stream));
    }
  }

  /**
   * After memory was found stale (the failed write already forgot the batch's rows): its
   * accounts are read under lock for `contendedPauseMs` (which of them another process
   * wrote is not known).
   */
  contended(changesets: readonly Changeset[], now: number): void {
    for (const { tenantId, transfers } of changesets) {
      for (const transfer of transfers ?? []) {
        for (const accountId of [transfer.debitAccountId, transfer.creditAccountId]) this.#contended.set(key(tenantId, accountId), now + contendedPauseMs);
      }
    }
  }
}

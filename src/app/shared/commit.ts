// The decide-then-commit loop: read, decide, commit; on a version conflict (someone else
// committed first) read and decide again, a bounded number of times.
import type { Result } from '../../domain/result.ts';
import { refuse } from '../../domain/result.ts';
import type { Changeset, Conflict, Store } from '../ports/store.ts';

export const commitAttemptsMax = 8;

export type Decision<T, C extends string> =
  | { readonly ok: false; readonly code: C; readonly field?: string; readonly detail?: string }
  | { readonly ok: true; readonly changeset: Changeset | null; readonly value: T };

/** Conflicts that only mean "someone was faster": deciding again may give another answer. */
function isRetryable(conflict: Conflict): boolean {
  return conflict.kind === 'version'
    || conflict.kind === 'account_exists'
    || conflict.kind === 'transfer_exists'
    || conflict.kind === 'pending_resolved'
    || conflict.kind === 'ledger_entry_exists';
}

export async function decideAndCommit<T, C extends string>(
  store: Store,
  decide: () => Promise<Decision<T, C>>,
): Promise<Result<T, C | 'conflict' | 'insufficient_funds'>> {
  for (let attempt = 1; attempt <= commitAttemptsMax; attempt++) {
    const decision = await decide();
    if (!decision.ok) return decision;
    if (decision.changeset === null) return { ok: true, value: decision.value };
    const committed = await store.commit(decision.changeset);
    if (committed.ok) return { ok: true, value: decision.value };
    if (committed.conflict.kind === 'balance_limit') {
      return refuse('insufficient_funds', undefined, `account ${committed.conflict.accountId} would go below zero`);
    }
    if (!isRetryable(committed.conflict)) {
      throw new Error(`commit refused: ${JSON.stringify(committed.conflict)}`);
    }
  }
  return refuse('conflict', undefined, 'too many concurrent changes; try again');
}

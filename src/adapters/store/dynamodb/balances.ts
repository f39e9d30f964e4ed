// Balance deltas of one changeset per account, in the order transfers touch them, and the
// headroom rule that turns the no-negative limit into one condition expression:
// headroom is what the outgoing side may still grow by, and it must never go below zero.
import {
  breaksBalanceLimit, normalSideOf, zeroBalances, type AccountBalances, type AccountDefinition,
} from '../../../domain/journal/accounts.ts';
import { applyDelta, type BalanceDelta } from '../../../domain/journal/transfers.ts';
import type { AccountId } from '../../../domain/ids.ts';

/** Posted incoming minus outgoing (posted and pending): the TigerBeetle rule as one number. */
export function headroomOf(definition: Pick<AccountDefinition, 'type'>, balances: AccountBalances): bigint {
  return normalSideOf(definition.type) === 'credit'
    ? balances.creditsPosted - balances.debitsPosted - balances.debitsPending
    : balances.debitsPosted - balances.creditsPosted - balances.creditsPending;
}

/** What one account's balances do over a changeset, transfer by transfer. */
export type AccountMovement = {
  readonly definition: AccountDefinition;
  delta: AccountBalances;
  /**
   * The least headroom the account must have before the changeset so that it never goes
   * below zero after any of its transfers (the check SQL stores run after each transfer).
   */
  headroomNeeded: bigint;
};

export class Movements {
  readonly #byAccount = new Map<AccountId, AccountMovement>();

  /** Applies one transfer's delta and raises the headroom the account needs if this point is its lowest. */
  apply(definition: AccountDefinition, delta: BalanceDelta): void {
    const movement = this.#byAccount.get(definition.id) ?? { definition, delta: zeroBalances, headroomNeeded: 0n };
    movement.delta = applyDelta(movement.delta, delta);
    const deficit = -headroomOf(definition, movement.delta);
    if (deficit > movement.headroomNeeded) movement.headroomNeeded = deficit;
    this.#byAccount.set(definition.id, movement);
  }

  all(): readonly AccountMovement[] {
    return [...this.#byAccount.values()];
  }
}

/** For an account created in the same changeset: whether any transfer took it below zero. */
export function breaksFromZero(movement: AccountMovement): boolean {
  return !movement.definition.allowNegative
    && (movement.headroomNeeded > 0n || breaksBalanceLimit({ ...movement.definition, ...movement.delta }));
}

// Reversal rules (V4, V5), pure: whether a failed transfer is reversed automatically or
// waits for a person, who may approve a manual reversal (maker-checker, with a manager
// above the high-value threshold), and the reversal reference format.
import { refuse, ok, type Result } from '../result.ts';
import type { FailureType } from '../interbank/failure-type.ts';

export type ReversalRules = {
  /** Failure types reversed without a person; anything else waits for approval. */
  readonly autoFailureTypes: readonly FailureType[];
  /** Above this amount (minor units of the transfer's currency) a reversal is manual. */
  readonly autoAmountMaxMinor: bigint;
  /** Channels whose reversals are always manual (e.g. `branch`). */
  readonly manualChannels: readonly string[];
  /** Above this amount only a manager may approve (see docs/guides/reversals.md). */
  readonly managerThresholdMinor: bigint;
};

export type ReversalMode = { readonly mode: 'automatic' | 'manual'; readonly why: string };

/** Never reversed without a person, whatever a tenant lists: a customer's word alone moves no money. */
export const neverAutomaticFailureTypes: readonly FailureType[] = ['customer_report'];

/** Rules in order: a customer report, a manual channel, a failure type not on the automatic list, then the amount. */
export function decideReversalMode(failure: { failureType: FailureType; amountMinor: bigint; channel: string }, rules: ReversalRules): ReversalMode {
  if (neverAutomaticFailureTypes.includes(failure.failureType)) return { mode: 'manual', why: `failure type ${failure.failureType} is never reversed automatically` };
  if (rules.manualChannels.includes(failure.channel)) return { mode: 'manual', why: `channel ${failure.channel} is reversed by a person` };
  if (!rules.autoFailureTypes.includes(failure.failureType)) return { mode: 'manual', why: `failure type ${failure.failureType} is reversed by a person` };
  if (failure.amountMinor > rules.autoAmountMaxMinor) return { mode: 'manual', why: 'the amount is above the automatic reversal limit' };
  return { mode: 'automatic', why: `failure type ${failure.failureType} within the automatic limit` };
}

export type Approver = { readonly initiator: string; readonly isManager: boolean };
export type ApprovalRefusal = 'approver_is_requester' | 'manager_approval_required';

/** Maker-checker: never the requester; above the threshold, a manager. */
export function decideApproval(request: { requester: string; amountMinor: bigint }, approver: Approver, rules: Pick<ReversalRules, 'managerThresholdMinor'>): Result<true, ApprovalRefusal> {
  if (approver.initiator === request.requester) return refuse('approver_is_requester', undefined, 'the requester of a reversal may not approve it');
  if (request.amountMinor > rules.managerThresholdMinor && !approver.isManager) {
    return refuse('manager_approval_required', undefined, 'a reversal above the high-value threshold needs a manager (admin key)');
  }
  return ok(true);
}

/**
 * Rolling back a completed reversal (R8) is a second maker-checker decision: the approval
 * rules, and neither the reversal's requester nor the person who approved it.
 */
export function decideRollback(reversal: { requester: string; decidedBy?: string; amountMinor: bigint }, decider: Approver, rules: Pick<ReversalRules, 'managerThresholdMinor'>): Result<true, ApprovalRefusal> {
  if (decider.initiator === reversal.decidedBy) return refuse('approver_is_requester', undefined, 'the approver of a reversal may not roll it back');
  return decideApproval(reversal, decider, rules);
}

/**
 * The failure types that leave the outcome uncertain: the switch never said the transfer
 * failed, so operations may settle it as paid on their own evidence (a "paid" rejection).
 */
export const uncertainFailureTypes: readonly FailureType[] = ['timeout', 'status_unknown', 'orphaned_debit', 'customer_report'];
export type PaidResolutionRefusal = 'transfer_definitely_failed';

/** A person may assert a transfer was paid only while its hold is open and no definite failure was ever reported. */
export function decidePaidResolution(transfer: { held: boolean; failureType: FailureType }): Result<true, PaidResolutionRefusal> {
  if (!transfer.held || !uncertainFailureTypes.includes(transfer.failureType)) {
    return refuse('transfer_definitely_failed', 'resolution', `the switch reported a definite failure (${transfer.failureType}): approve the reversal instead`);
  }
  return ok(true);
}

export const reversalSequenceDigits = 6;

/** `TXR-2026-000123`: the tenant's running number within the year, at least six digits. */
export function reversalReference(year: number, sequence: number): string {
  return `TXR-${year}-${String(sequence).padStart(reversalSequenceDigits, '0')}`;
}

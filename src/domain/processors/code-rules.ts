// The four kinds of rule a processor's code table is written in, shared by every table so
// that a kind always carries the same retry meaning: approvals and declines are final,
// pending answers are asked again, and an error says itself whether a retry can help.
import type { CodeRule, UnknownCodeRule } from './normalize.ts';

export const approved: CodeRule = { kind: 'approved', code: 'approved', retryable: false, message: 'The processor approved the request.' };

export function declined(code: string, message: string): CodeRule {
  return { kind: 'declined', code, message, retryable: false };
}

export function pending(code: string, message: string): CodeRule {
  return { kind: 'pending', code, message, retryable: true };
}

export function error(code: string, retryable: boolean, message: string): CodeRule {
  return { kind: 'error', code, message, retryable };
}

/** A code no table knows: never guessed, asked for again (P3). */
export const unknownCode: UnknownCodeRule = {
  kind: 'pending', code: 'unknown_code', retryable: true,
  message: 'The processor answered with a code this deployment does not know; the outcome will be asked for again.',
};

/**
 * Converge's `txnquery` statuses of a transaction (`status:<code>`), which the simulator
 * speaks too: settled is approved; pended, open or in review means the processor holds the
 * transaction but has not finished with it, so the outcome is asked for again rather than
 * assumed; failed by a post-auth, fraud-prevention or pre-auth rule is declined.
 */
export const txnqueryStatusRules: Readonly<Record<string, CodeRule>> = {
  'status:STL': approved,
  'status:PEN': pending('processor_pending', 'The processor has not finished with the transaction; it will be asked again.'),
  'status:OPN': pending('processor_open', 'The transaction is open at the processor; it will be asked again.'),
  'status:REV': pending('processor_review', 'The processor is reviewing the transaction; it will be asked again.'),
  'status:PST': declined('post_auth_rule', 'The processor failed the transaction under a post-authorization rule.'),
  'status:FPR': declined('fraud_rule', 'The processor failed the transaction under a fraud-prevention rule.'),
  'status:PRE': declined('pre_auth_rule', 'The processor failed the transaction under a pre-authorization rule.'),
};

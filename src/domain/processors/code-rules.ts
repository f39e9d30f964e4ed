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

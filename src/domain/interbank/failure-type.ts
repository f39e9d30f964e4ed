// What kind of failure a failed transfer is (V2), from the canonical outcome code of the
// inter-bank answer: data, so a deployment that adds codes adds their types here.

export const failureTypes = [
  'timeout', 'status_unknown', 'routing_error', 'system_glitch', 'account_error', 'insufficient_funds', 'declined',
  'orphaned_debit', 'customer_report',
] as const;
export type FailureType = (typeof failureTypes)[number];

export const detectionMethods = ['automatic', 'manual', 'customer_report', 'reconciliation'] as const;
export type DetectionMethod = (typeof detectionMethods)[number];

const failureTypeByOutcomeCode: Readonly<Record<string, FailureType>> = {
  timeout: 'timeout',
  no_answer: 'timeout',
  status_unknown: 'status_unknown',
  in_progress: 'status_unknown',
  duplicate: 'status_unknown',
  unknown_code: 'status_unknown',
  unreadable_reply: 'status_unknown',
  unknown_bank_code: 'routing_error',
  routing_error: 'routing_error',
  bank_unavailable: 'system_glitch',
  system_malfunction: 'system_glitch',
  invalid_account: 'account_error',
  dormant_account: 'account_error',
  account_name_mismatch: 'account_error',
  invalid_sender: 'account_error',
  insufficient_funds: 'insufficient_funds',
};

/** The failure type of an outcome code; anything not listed is a plain decline. */
export function failureTypeOf(outcomeCode: string): FailureType {
  return failureTypeByOutcomeCode[outcomeCode] ?? 'declined';
}

/** The outcome codes whose failures count towards a system-glitch burst (NIP 91 and 96). */
export const glitchOutcomeCodes: readonly string[] = ['bank_unavailable', 'system_malfunction'];

// Incident reports (D3): a significant failure is reported to the regulator with its
// resolution target. Pure: which failures are significant, the lifecycle open →
// submitted (frozen, with the submission reference) → resolved (within or beyond the
// target), and the `INC-<year>-<seq>` reference.
import { refuse, ok, type Result } from '../result.ts';

export const incidentStatuses = ['open', 'submitted', 'resolved'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

/** Why a failure is significant; each can be switched off per tenant. */
export const incidentTriggers = ['high_value', 'requery_escalation', 'glitch_burst', 'dispute_overdue'] as const;
export type IncidentTrigger = (typeof incidentTriggers)[number];

/** The seed's FAILED_ELECTRONIC_PAYMENT, and one report for a whole system-glitch burst. */
export const incidentTypes = ['FAILED_ELECTRONIC_PAYMENT', 'SYSTEM_GLITCH_BURST'] as const;
export type IncidentType = (typeof incidentTypes)[number];

export type IncidentRules = {
  /** A failed transaction of at least this amount (minor units of its currency) is significant. */
  readonly amountThresholdMinor: bigint;
  readonly triggers: readonly IncidentTrigger[];
};

/** The trigger that makes a failed transaction significant, or null: an escalation first, then the amount. */
export function failureTrigger(rules: IncidentRules, failure: { readonly amountMinor: bigint; readonly escalated: boolean }): IncidentTrigger | null {
  if (failure.escalated && rules.triggers.includes('requery_escalation')) return 'requery_escalation';
  if (failure.amountMinor >= rules.amountThresholdMinor && rules.triggers.includes('high_value')) return 'high_value';
  return null;
}

export type IncidentMove = 'submit' | 'resolve';
export type IncidentMoveRefusal = 'incident_already_submitted' | 'incident_not_submitted' | 'incident_resolved';

/** Submit only an open incident; resolve only a submitted one; a resolved incident is closed. */
export function checkIncidentMove(status: IncidentStatus, move: IncidentMove): Result<IncidentStatus, IncidentMoveRefusal> {
  if (status === 'resolved') return refuse('incident_resolved', 'id', 'a resolved incident is closed');
  if (move === 'submit') return status === 'open' ? ok('submitted') : refuse('incident_already_submitted', 'id', 'the incident was submitted already');
  return status === 'submitted' ? ok('resolved') : refuse('incident_not_submitted', 'id', 'submit the incident to the regulator before resolving it');
}

/** `INC-<year>-<seq>`, the sequence padded to six digits and free to grow past them. */
export function incidentReference(year: number, sequence: number): string {
  return `INC-${year}-${String(sequence).padStart(6, '0')}`;
}

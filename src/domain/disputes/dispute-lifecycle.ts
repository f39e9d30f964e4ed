// The dispute lifecycle (D1): open → investigating → resolved | escalated. An escalated
// case is still worked: it may go back to investigating or be resolved. Resolved is final.
export const disputeStatuses = ['open', 'investigating', 'resolved', 'escalated'] as const;
export type DisputeStatus = (typeof disputeStatuses)[number];
export const disputePriorities = ['low', 'medium', 'high', 'critical'] as const;
export type DisputePriority = (typeof disputePriorities)[number];

const allowed: Readonly<Record<DisputeStatus, readonly DisputeStatus[]>> = {
  open: ['investigating', 'escalated'],
  investigating: ['resolved', 'escalated'],
  escalated: ['investigating', 'resolved'],
  resolved: [],
};

/** Whether a case may move from `from` to `to`; staying put is not a transition. */
export function canMoveDispute(from: DisputeStatus, to: DisputeStatus): boolean {
  return allowed[from].includes(to);
}

/** Statuses the escalation job watches: a case nobody has closed or escalated yet. */
export const watchedDisputeStatuses: readonly DisputeStatus[] = ['open', 'investigating'];

/** `DSP-<year>-<seq>`, the sequence padded to six digits and free to grow past them. */
export function disputeReference(year: number, sequence: number): string {
  return `DSP-${year}-${String(sequence).padStart(6, '0')}`;
}

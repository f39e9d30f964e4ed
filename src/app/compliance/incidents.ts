// Working incident reports (D3): list (by status through the status index, by detection
// time as the page is read; audited like every read), read one, submit it to the
// regulator (frozen, with the submission reference), resolve it (within or beyond its
// resolution target), each change version-checked and audited with an illegal move
// refused by name; and the escalation job's pass that flags an incident past its target
// once.
import { checkIncidentMove, type IncidentStatus } from '../../domain/compliance/incident.ts';
import type { TenantId } from '../../domain/ids.ts';
import { refuse, type Result } from '../../domain/result.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { recordRead } from '../audit/audited-read.ts';
import type { Dependencies } from '../dependencies.ts';
import { decideAndCommit, type Decision } from '../shared/commit.ts';
import type { Reply } from '../shared/reply.ts';
import { filteredPage } from '../shared/filtered-page.ts';
import { visitIndexed } from '../shared/visit-indexed.ts';
import { countItemError, noItemErrors, type ItemErrors } from '../shared/item-errors.ts';
import { incidentFromRecord, incidentIndexKey, incidentKind, incidentView, incidentWrite, type Incident } from './incident-record.ts';
import { incidentInitiator } from './open-incident.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

/** Incidents examined per status in one escalation run at most; the next run continues. */
export const overdueBatchMax = 100;

export type IncidentFilter = {
  readonly status?: IncidentStatus;
  /** Detection time, inclusive from, exclusive to. */
  readonly fromAt?: number;
  readonly toAt?: number;
  readonly limit: number;
  readonly cursor?: string;
};

export type IncidentCode = 'incident_not_found' | 'incident_already_submitted' | 'incident_not_submitted' | 'incident_resolved' | 'conflict' | 'insufficient_funds';

function inPeriod(incident: Incident, filter: IncidentFilter): boolean {
  return (filter.fromAt === undefined || incident.detectedAt >= filter.fromAt) && (filter.toAt === undefined || incident.detectedAt < filter.toAt);
}

export async function listIncidents(deps: Dependencies, principal: TenantPrincipal, filter: IncidentFilter): Promise<Reply> {
  const request = { kind: incidentKind, limit: filter.limit, cursor: filter.cursor, indexKey: filter.status === undefined ? undefined : incidentIndexKey(filter.status) };
  const { data, nextCursor } = await filteredPage(deps.store, principal.tenantId, request, (record) => {
    const incident = incidentFromRecord(record);
    return inPeriod(incident, filter) ? incidentView(incident) : null;
  });
  await recordRead(deps, {
    tenantId: principal.tenantId, initiator: initiatorOf(principal), stream: 'incidents', action: 'incident.list',
    query: {
      status: filter.status ?? null, from: filter.fromAt === undefined ? null : new Date(filter.fromAt).toISOString(),
      to: filter.toAt === undefined ? null : new Date(filter.toAt).toISOString(), cursor: filter.cursor ?? null,
    },
    response: { count: data.length },
  });
  return { statusCode: 200, body: { message: 'Incidents found.', status: 'ok', data, next_cursor: nextCursor } };
}

export async function readIncident(deps: Dependencies, principal: TenantPrincipal, id: string): Promise<Result<Reply, 'incident_not_found'>> {
  const record = await deps.store.getRecord(principal.tenantId, incidentKind, id);
  if (record === null) return refuse('incident_not_found', 'id');
  const incident = incidentFromRecord(record);
  await recordRead(deps, {
    tenantId: principal.tenantId, initiator: initiatorOf(principal), stream: 'incidents', action: 'incident.read',
    query: { incident_reference: id }, response: { status: incident.status },
  });
  return { ok: true, value: { statusCode: 200, body: { message: 'Incident found.', ...incidentView(incident) } } };
}

type Move = { readonly kind: 'submit'; readonly reference: string } | { readonly kind: 'resolve'; readonly resolution: string };

export function submitIncident(deps: Dependencies, principal: TenantPrincipal, id: string, reference: string): Promise<Result<Reply, IncidentCode>> {
  return decideAndCommit(deps.store, () => decideMove(deps, principal, id, { kind: 'submit', reference }));
}

export function resolveIncident(deps: Dependencies, principal: TenantPrincipal, id: string, resolution: string): Promise<Result<Reply, IncidentCode>> {
  return decideAndCommit(deps.store, () => decideMove(deps, principal, id, { kind: 'resolve', resolution }));
}

function moved(incident: Incident, move: Move, initiator: string, at: number): Incident {
  const base = { ...incident, version: incident.version + 1, updatedAt: at };
  return move.kind === 'submit'
    ? { ...base, status: 'submitted', submittedAt: at, submittedBy: initiator, submissionReference: move.reference }
    : { ...base, status: 'resolved', resolvedAt: at, resolvedBy: initiator, resolution: move.resolution };
}

async function decideMove(deps: Dependencies, principal: TenantPrincipal, id: string, move: Move): Promise<Decision<Reply, IncidentCode>> {
  const record = await deps.store.getRecord(principal.tenantId, incidentKind, id);
  if (record === null) return refuse('incident_not_found', 'id');
  const incident = incidentFromRecord(record);
  const allowed = checkIncidentMove(incident.status, move.kind);
  if (!allowed.ok) return allowed;
  const at = deps.clock.now();
  const initiator = initiatorOf(principal);
  const next = moved(incident, move, initiator, at);
  const within = next.resolvedAt === null ? null : next.resolvedAt <= next.dueAt;
  const audit = await buildAuditEntry(deps, principal.tenantId, at, {
    stream: 'incidents', action: move.kind === 'submit' ? 'incident.submitted' : 'incident.resolved', initiator, status: next.status,
    reason: move.kind === 'submit' ? `${id} ${move.reference}` : move.resolution,
    details: { response: { incident_reference: id, from_status: incident.status, to_status: next.status, within_target: within } },
  });
  const message = move.kind === 'submit' ? 'Incident submitted to the regulator.' : 'Incident resolved.';
  return {
    ok: true, value: { statusCode: 200, body: { message, ...incidentView(next) } },
    changeset: { tenantId: principal.tenantId, at, records: [incidentWrite(next, incident.version)], audit: [audit] },
  };
}

/** Flags open and submitted incidents past their resolution target, each once; answers how many this run flagged. */
export async function flagOverdueIncidents(deps: Dependencies, options: { tenantId?: TenantId } = {}, errors: ItemErrors = noItemErrors()): Promise<number> {
  let flagged = 0;
  for (const status of ['open', 'submitted'] as const) {
    await visitIndexed(deps.store, { kind: incidentKind, indexKey: incidentIndexKey(status), limit: overdueBatchMax }, async (record) => {
      if (options.tenantId !== undefined && record.tenantId !== options.tenantId) return false;
      // Each incident on its own: one that cannot be read or flagged is counted (in `errors`)
      // and left for the next run.
      try {
        const incident = incidentFromRecord(record);
        const at = deps.clock.now();
        if (incident.overdueAt !== null || at <= incident.dueAt) return false;
        const audit = await buildAuditEntry(deps, incident.tenantId, at, {
          stream: 'incidents', action: 'incident.overdue', initiator: incidentInitiator, status: incident.status,
          reason: `${incident.id} is unresolved past its resolution target ${new Date(incident.dueAt).toISOString()}`,
        });
        const committed = await deps.store.commit({
          tenantId: incident.tenantId, at, records: [incidentWrite({ ...incident, overdueAt: at, updatedAt: at }, incident.version)], audit: [audit],
        });
        // A lost race only means another run flagged it (or someone moved it) first.
        if (committed.ok) flagged++;
      } catch (error) {
        countItemError(errors, record.tenantId, record.id, error);
      }
      return true;
    });
  }
  return flagged;
}

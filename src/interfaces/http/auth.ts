// Authentication and the role check every endpoint makes (T2). A route names the roles
// it admits; the bootstrap token is admitted only where a route says so.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../../app/access/authenticate.ts';
import type { Principal, Role } from '../../app/access/principal.ts';
import { sendError } from './send.ts';

export type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

export async function requireRole(
  authenticator: Authenticator,
  request: FastifyRequest,
  reply: FastifyReply,
  admitted: readonly Role[],
): Promise<TenantPrincipal | null> {
  const principal = await authenticator.authenticate(bearerToken(request));
  if (principal === null) {
    sendError(reply, 'unauthorized');
    return null;
  }
  if (principal.kind !== 'api_key' || !admitted.includes(principal.role)) {
    sendError(reply, 'forbidden', undefined, `requires one of the roles ${admitted.join(', ')}`);
    return null;
  }
  return principal;
}

export async function requireBootstrap(authenticator: Authenticator, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  const principal = await authenticator.authenticate(bearerToken(request));
  if (principal === null) {
    sendError(reply, 'unauthorized');
    return false;
  }
  if (principal.kind !== 'bootstrap') {
    sendError(reply, 'forbidden', undefined, 'only the bootstrap token creates tenants');
    return false;
  }
  return true;
}

/** Who may do what: one table, so a reviewer sees every endpoint's roles at once. */
export const access = {
  manageKeys: ['admin'],
  /** Tenant policy settings (refund window, reversal rules, timelines, incident rules): an admin changes them. */
  readSettings: ['admin', 'auditor', 'operator'],
  changeSettings: ['admin'],
  writeAccounts: ['admin', 'operator', 'service'],
  readLedger: ['admin', 'operator', 'approver', 'auditor', 'service'],
  createPayments: ['admin', 'service'],
  createRefunds: ['admin', 'operator', 'service'],
  approveRollbacks: ['approver'],
  recordChargebacks: ['admin', 'operator', 'service'],
  createTransfers: ['admin', 'operator', 'service'],
  requestReversals: ['admin', 'operator', 'service'],
  /** An admin key is the manager who may approve high-value reversals (docs/guides/reversals.md). */
  approveReversals: ['approver', 'admin'],
  runDetection: ['admin', 'operator', 'service'],
  runReconciliation: ['admin', 'operator', 'service'],
  workDisputes: ['admin', 'operator', 'service'],
  readAudit: ['auditor'],
  verifyAudit: ['auditor', 'admin'],
  manageNotifications: ['admin', 'operator'],
  manageCalendar: ['admin'],
  backups: ['admin', 'auditor'],
  cbnReports: ['admin', 'auditor'],
  /** Incident reports (D3): compliance reads and submits them; operations may read and resolve them. */
  readIncidents: ['admin', 'auditor', 'operator'],
  submitIncidents: ['admin', 'auditor'],
  resolveIncidents: ['admin', 'operator'],
} as const satisfies Record<string, readonly Role[]>;

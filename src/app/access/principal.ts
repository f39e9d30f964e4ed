// Who is calling: a tenant's API key with one role (T2), or the platform's bootstrap token,
// which can only create tenants.
import type { ApiKeyId, TenantId } from '../../domain/ids.ts';

export const roles = ['admin', 'operator', 'approver', 'auditor', 'service'] as const;
export type Role = (typeof roles)[number];

export type Principal =
  | { readonly kind: 'api_key'; readonly tenantId: TenantId; readonly apiKeyId: ApiKeyId; readonly role: Role }
  | { readonly kind: 'bootstrap' };

/** The name that audit records carry as Initiator. */
export function initiatorOf(principal: Principal): string {
  return principal.kind === 'bootstrap' ? 'bootstrap' : `api_key:${principal.apiKeyId}`;
}

// Branded identifiers, so that a payment id can never be passed where a tenant id is
// expected. Client-supplied ids are validated at the edge and branded there.

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type TenantId = Brand<string, 'TenantId'>;
export type AccountId = Brand<string, 'AccountId'>;
export type TransferId = Brand<string, 'TransferId'>;
export type TransactionId = Brand<string, 'TransactionId'>;
export type ApiKeyId = Brand<string, 'ApiKeyId'>;
export type AuditRecordId = Brand<string, 'AuditRecordId'>;

/** The pseudo-tenant that owns platform records (bootstrap token); never a real tenant. */
export const platformTenantId = 'platform' as TenantId;

/** Client ids: letters, digits and `-_.:`, 1 to 64 characters. */
export const clientIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
export const clientIdLengthMax = 64;

export function isClientId(value: string): boolean {
  return clientIdPattern.test(value);
}

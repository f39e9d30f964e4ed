// API keys (T2): `ctr.<tenant id>.<key id>.<secret>`. Only a SHA-256 hash of the secret is
// stored; the secret is 256 random bits, so a slow password hash would add nothing but
// latency. The whole key is shown once, when it is created.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyId, TenantId } from '../../domain/ids.ts';
import type { RecordWrite } from '../ports/store.ts';
import type { Role } from './principal.ts';

export const apiKeyKind = 'api_key';
const keyPrefix = 'ctr';
const secretBytes = 32;

export type ParsedApiKey = { readonly tenantId: TenantId; readonly apiKeyId: ApiKeyId; readonly secret: string };

export function newSecret(): string {
  return randomBytes(secretBytes).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update('contra-api-key-v1\n').update(secret).digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function formatApiKey(tenantId: TenantId, apiKeyId: ApiKeyId, secret: string): string {
  return `${keyPrefix}.${tenantId}.${apiKeyId}.${secret}`;
}

export function parseApiKey(token: string): ParsedApiKey | null {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== keyPrefix) return null;
  const [, tenantId, apiKeyId, secret] = parts;
  if (tenantId === undefined || apiKeyId === undefined || secret === undefined) return null;
  if (!/^ten_[0-9A-Za-z]{1,40}$/.test(tenantId) || !/^key_[0-9A-Za-z]{1,40}$/.test(apiKeyId)) return null;
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(secret)) return null;
  return { tenantId: tenantId as TenantId, apiKeyId: apiKeyId as ApiKeyId, secret };
}

export function apiKeyWrite(input: { apiKeyId: ApiKeyId; role: Role; name: string; secret: string; at: number; createdBy: string }): RecordWrite {
  return {
    kind: apiKeyKind,
    id: input.apiKeyId,
    expectedVersion: 0,
    body: {
      role: input.role,
      name: input.name,
      secret_hash: hashSecret(input.secret),
      created_at: input.at,
      created_by: input.createdBy,
      revoked_at: null,
    },
  };
}

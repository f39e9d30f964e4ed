// Turns a bearer token into a Principal (T2). Failed attempts are audited (A1 "login
// failure") on the platform's access stream with the key id only, never the secret.
// Verified keys are cached briefly so that a request does not cost a store read; a
// revocation in this process drops the cache entry at once.
import { createHash, timingSafeEqual } from 'node:crypto';
import { platformTenantId } from '../../domain/ids.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { apiKeyKind, parseApiKey, secretMatches } from './api-keys.ts';
import { roles, type Principal, type Role } from './principal.ts';
import { bootstrapRecordId, bootstrapKind } from './bootstrap.ts';

export const principalCacheTtlMs = 5_000;
export const principalCacheEntriesMax = 10_000;

type CacheEntry = { principal: Principal; expiresAtMs: number };

export class Authenticator {
  private readonly cache = new Map<string, CacheEntry>();
  private bootstrapHash: string | null = null;

  constructor(private readonly deps: Dependencies) {}

  /** Uses this token as the bootstrap token instead of the stored hash (CONTRA_ADMIN_TOKEN). */
  useBootstrapToken(token: string): void {
    this.bootstrapHash = createHash('sha256').update(token).digest('hex');
  }

  async authenticate(token: string | undefined): Promise<Principal | null> {
    if (token === undefined || token.length === 0 || token.length > 512) return this.fail('missing or oversized token', undefined);
    const cacheKey = createHash('sha256').update(token).digest('hex');
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined && cached.expiresAtMs > this.deps.clock.now()) return cached.principal;
    const principal = await this.resolve(token, cacheKey);
    if (principal === null) return this.fail('unknown or revoked key', parseApiKey(token)?.apiKeyId);
    if (this.cache.size >= principalCacheEntriesMax) this.cache.clear();
    this.cache.set(cacheKey, { principal, expiresAtMs: this.deps.clock.now() + principalCacheTtlMs });
    return principal;
  }

  forgetApiKey(apiKeyId: string): void {
    for (const [key, entry] of this.cache) {
      if (entry.principal.kind === 'api_key' && entry.principal.apiKeyId === apiKeyId) this.cache.delete(key);
    }
  }

  private async resolve(token: string, tokenHash: string): Promise<Principal | null> {
    if (await this.isBootstrap(tokenHash)) return { kind: 'bootstrap' };
    const parsed = parseApiKey(token);
    if (parsed === null) return null;
    const record = await this.deps.store.getRecord(parsed.tenantId, apiKeyKind, parsed.apiKeyId);
    if (record === null || record.body['revoked_at'] !== null) return null;
    const storedHash = record.body['secret_hash'];
    const role = record.body['role'];
    if (typeof storedHash !== 'string' || !secretMatches(parsed.secret, storedHash)) return null;
    if (typeof role !== 'string' || !(roles as readonly string[]).includes(role)) return null;
    return { kind: 'api_key', tenantId: parsed.tenantId, apiKeyId: parsed.apiKeyId, role: role as Role };
  }

  private async isBootstrap(tokenHash: string): Promise<boolean> {
    let expected = this.bootstrapHash;
    if (expected === null) {
      const record = await this.deps.store.getRecord(platformTenantId, bootstrapKind, bootstrapRecordId);
      const stored = record?.body['token_hash'];
      expected = typeof stored === 'string' ? stored : null;
    }
    if (expected === null) return false;
    const a = Buffer.from(tokenHash, 'hex');
    const b = Buffer.from(expected, 'hex');
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private async fail(reason: string, apiKeyId: string | undefined): Promise<null> {
    const at = this.deps.clock.now();
    const entry = await buildAuditEntry(this.deps, platformTenantId, at, {
      stream: 'access',
      action: 'auth.failed',
      initiator: apiKeyId === undefined ? 'anonymous' : `api_key:${apiKeyId}`,
      status: 'REFUSED',
      reason,
    });
    await this.deps.store.commit({ tenantId: platformTenantId, at, audit: [entry] });
    return null;
  }
}

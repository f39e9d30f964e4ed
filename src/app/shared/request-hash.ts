// Requests are remembered by a hash of their canonical JSON, so a replay can be told from
// a different request under the same key. Callers remove secrets before hashing.
import { createHash } from 'node:crypto';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'bigint') return value.toString();
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, inner]) => inner !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, inner]) => [key, canonical(inner)]));
  }
  return value;
}

export function requestHash(scope: string, request: unknown): string {
  return createHash('sha256').update(scope).update('\n').update(JSON.stringify(canonical(request))).digest('hex');
}

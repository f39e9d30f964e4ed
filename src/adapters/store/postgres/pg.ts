// The PostgreSQL connection pool of the store: integers always come back as bigint (so no
// balance passes through a JavaScript number), JSON as its exact text (audit hashes cover
// bytes, and jsonb would reorder keys), and every unit of work runs in a transaction that
// first declares which tenants it touches, for row-level security.
import pg from 'pg';
import { invariant } from '../../../domain/invariant.ts';
import type { TenantId } from '../../../domain/ids.ts';
import type { Row } from '../rows/row.ts';

const oid = { int8: 20, int2: 21, int4: 23, json: 114, jsonb: 3802 } as const;

const builtInParser = pg.types.getTypeParser as (typeId: number, format: 'text' | 'binary') => (value: string) => unknown;

const parsers: pg.CustomTypesConfig = {
  getTypeParser: ((typeId: number, format?: 'text' | 'binary') => {
    switch (typeId) {
      case oid.int8:
      case oid.int2:
      case oid.int4:
        return (value: string) => BigInt(value);
      case oid.json:
      case oid.jsonb:
        return (value: string) => value;
      default:
        return builtInParser(typeId, format ?? 'text');
    }
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export type PoolOptions = { readonly connectionString: string; readonly max?: number };

export function openPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 10, types: parsers });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

const tenantIdPattern = /^[^,\s]{1,128}$/;

/** The literal for `SET LOCAL contra.tenant_ids`: ids joined by commas, quoted for SQL. */
export function tenantSetting(tenantIds: readonly TenantId[]): string {
  return pg.escapeLiteral(tenantIdsText(tenantIds));
}

/** The tenants as the value of contra.tenant_ids, unquoted (for a bound parameter). */
export function tenantIdsText(tenantIds: readonly TenantId[]): string {
  for (const id of tenantIds) invariant(tenantIdPattern.test(id), `tenant id '${id}' cannot be declared for row-level security`);
  return [...new Set(tenantIds)].join(',');
}

export type Mode = 'read' | 'write' | 'snapshot';

const begin: Readonly<Record<Mode, string>> = {
  read: 'BEGIN READ ONLY',
  write: 'BEGIN',
  snapshot: 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
};

/** Runs `work` in one transaction declared for `tenantIds`; rolls back if it throws. */
export async function inTransaction<T>(pool: pg.Pool, tenantIds: readonly TenantId[], mode: Mode, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    // One round trip: the transaction and its tenant declaration.
    await client.query(`${begin[mode]}; SET LOCAL contra.tenant_ids = ${tenantSetting(tenantIds)}`);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

export async function rows(client: pg.PoolClient, text: string, values: readonly unknown[] = []): Promise<Row[]> {
  const result = await client.query<Row>(text, values as unknown[]);
  return result.rows;
}

/** PostgreSQL error codes the store reacts to. */
export const pgErrors = {
  uniqueViolation: '23505',
  deadlock: '40P01',
  serialization: '40001',
  /** Raised by contra_batch_apply (v6) when a batch's expected rows differ from the stored ones. */
  staleBatch: 'CTR01',
} as const;

export function pgCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error).code;
  return typeof code === 'string' ? code : undefined;
}

// The store an API test service runs on. By default the embedded SQLite file; with
// CONTRA_TEST_STORE=postgres a fresh schema of the PostgreSQL test database per service,
// so every service starts as empty as a new SQLite file, and the schema is dropped after.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createTestSchema, testDatabaseUrl } from '../../src/adapters/store/postgres/test-database.ts';

export function testStoreKind(): 'sqlite' | 'postgres' {
  return process.env['CONTRA_TEST_STORE'] === 'postgres' ? 'postgres' : 'sqlite';
}

export function filesText(directory: string): string {
  return readdirSync(directory).map((name) => readFileSync(join(directory, name)).toString('latin1')).join('\n');
}

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export type ServiceSchema = { readonly url: string; storedText(): Promise<string>; drop(): Promise<void> };

export async function createServiceSchema(): Promise<ServiceSchema> {
  const schema = await createTestSchema();
  return {
    url: schema.url,
    // Every row of every table, read with every tenant declared (row-level security is forced).
    storedText: () => withClient(async (client) => {
      await client.query(`SET search_path = ${schema.name}`);
      const tenants = (await client.query<{ tenant_id: string }>('SELECT tenant_id FROM tenants')).rows.map((row) => row.tenant_id);
      await client.query('SELECT set_config($1, $2, false)', ['contra.tenant_ids', tenants.join(',')]);
      const tables = (await client.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema.name])).rows;
      const texts = await Promise.all(tables.map(async ({ tablename }) =>
        (await client.query<{ row: string }>(`SELECT t::text AS row FROM ${tablename} t`)).rows.map((row) => row.row).join('\n')));
      return texts.join('\n');
    }),
    drop: () => schema.drop(),
  };
}

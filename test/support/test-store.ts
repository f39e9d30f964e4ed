// The store an API test service runs on. By default the embedded SQLite file; with
// CONTRA_TEST_STORE=postgres a fresh schema of the PostgreSQL test database per service,
// with CONTRA_TEST_STORE=dynamodb fresh tables on the run's DynamoDB Local; either way
// every service starts as empty as a new SQLite file, and its schema or tables go after.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { createTestSchema, testDatabaseUrl } from '../../src/adapters/store/postgres/test-database.ts';
import { emulatorClient, testTables } from '../../src/adapters/store/dynamodb/test-emulator.ts';

export type TestStoreKind = 'sqlite' | 'postgres' | 'dynamodb';

export function testStoreKind(): TestStoreKind {
  const kind = process.env['CONTRA_TEST_STORE'];
  return kind === 'postgres' || kind === 'dynamodb' ? kind : 'sqlite';
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

export type ServiceTables = { readonly environment: Record<string, string>; storedText(): Promise<string>; drop(): Promise<void> };

async function scanText(endpoint: string, table: string): Promise<string> {
  const client = emulatorClient(endpoint);
  try {
    const lines: string[] = [];
    let start: ScanCommandOutput['LastEvaluatedKey'];
    do {
      const output = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ...(start === undefined ? {} : { ExclusiveStartKey: start }) }));
      lines.push(...(output.Items ?? []).map((item) => JSON.stringify(item)));
      start = output.LastEvaluatedKey;
    } while (start !== undefined);
    return lines.join('\n');
  } finally {
    client.destroy();
  }
}

/** Tables of their own on the run's DynamoDB Local, and the environment that selects them. */
export function createServiceTables(): ServiceTables {
  const endpoint = process.env['CONTRA_TEST_DYNAMODB_ENDPOINT'];
  if (endpoint === undefined || endpoint === '') throw new Error('CONTRA_TEST_STORE=dynamodb needs CONTRA_TEST_DYNAMODB_ENDPOINT (scripts/run-tests.mjs sets it)');
  const tables = testTables('api');
  return {
    environment: {
      CONTRA_STORE: 'dynamodb', AWS_REGION: 'us-east-1', CONTRA_DYNAMODB_ENDPOINT: endpoint,
      DYNAMODB_TABLE_NAME: tables.ledger, DYNAMODB_AUDIT_TABLE_NAME: tables.audit,
    },
    storedText: async () => `${await scanText(endpoint, tables.ledger)}\n${await scanText(endpoint, tables.audit)}`,
    drop: () => tables.drop(endpoint),
  };
}

// Where the PostgreSQL tests run: CONTRA_TEST_DATABASE_URL, or the role and database that
// .ci/run creates on the local server. The role must not be a superuser nor BYPASSRLS,
// or row-level security would not apply to it. Under CI an unreachable server fails the
// run; on a developer machine without PostgreSQL the tests are skipped, and say so.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const defaultTestDatabaseUrl = 'postgres://contra_test@127.0.0.1:5432/contra_test';

export function testDatabaseUrl(): string {
  const configured = process.env['CONTRA_TEST_DATABASE_URL'];
  return configured === undefined || configured === '' ? defaultTestDatabaseUrl : configured;
}

export type Availability = { readonly available: true } | { readonly available: false; readonly reason: string };

/** Checks the server answers and the role is one row-level security applies to. */
export async function probeTestDatabase(): Promise<Availability> {
  const client = new pg.Client({ connectionString: testDatabaseUrl(), connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    const result = await client.query<{ rolsuper: boolean; rolbypassrls: boolean }>('SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user');
    const role = result.rows[0];
    if (role === undefined || role.rolsuper || role.rolbypassrls) {
      throw new Error(`the test role of ${testDatabaseUrl()} is a superuser or BYPASSRLS; row-level security would not apply`);
    }
    return { available: true };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env['CI'] !== undefined && process.env['CI'] !== '') {
      throw new Error(`PostgreSQL is required under CI and ${testDatabaseUrl()} is not usable: ${reason}`);
    }
    return { available: false, reason };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export type TestSchema = { readonly name: string; readonly url: string; drop(): Promise<void> };

/** A fresh schema of the test database, and the URL that puts it first on the search path. */
export async function createTestSchema(prefix = 't'): Promise<TestSchema> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(testDatabaseUrl());
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    name,
    url: url.toString(),
    async drop() {
      const dropper = new pg.Client({ connectionString: testDatabaseUrl() });
      await dropper.connect();
      try {
        await dropper.query(`DROP SCHEMA ${name} CASCADE`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** Runs `work` on a connection of its own to `url` (outside the store), then closes it. */
export async function withTestClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

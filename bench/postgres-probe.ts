// `npm run bench:postgres-probe`: an upper bound, not Contra. How fast can 8 closed-loop
// callers go on this server when their transfers are group-committed as insert-only
// batches (one statement per batch, no balance rows updated, so no row lock outlives a
// batch's work), with 1, 2 or 3 batches in flight — against the pure-SQL ledger of
// bench:postgres in the same run. It tells how much of Contra's batch cycle is the
// server's commit and flush and how much is Contra's own work (bench/README.md).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testDatabaseUrl } from '../src/adapters/store/postgres/test-database.ts';
import { runConcurrently } from './run-concurrently.ts';

// The pure-SQL ledger's tables of bench:postgres (foreign keys included); the batches write the same tables.
const ddl = `
CREATE TABLE sql_accounts (id integer PRIMARY KEY, balance bigint NOT NULL, version bigint NOT NULL);
CREATE TABLE p_transfers (id bigserial PRIMARY KEY, from_id integer NOT NULL REFERENCES sql_accounts, to_id integer NOT NULL REFERENCES sql_accounts,
  amount bigint NOT NULL CHECK (amount > 0), created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE p_entries (id bigserial PRIMARY KEY, account_id integer NOT NULL REFERENCES sql_accounts, transfer_id bigint NOT NULL REFERENCES p_transfers,
  amount bigint NOT NULL, balance_after bigint NOT NULL);
CREATE FUNCTION p_batch(b jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  WITH t AS (INSERT INTO p_transfers (from_id, to_id, amount) SELECT x.f, x.t, x.a FROM jsonb_to_recordset(b) AS x(f int, t int, a bigint, o int) ORDER BY x.o
    RETURNING id, from_id, to_id, amount)
  INSERT INTO p_entries (account_id, transfer_id, amount, balance_after) SELECT t.from_id, t.id, -t.amount, 0 FROM t UNION ALL SELECT t.to_id, t.id, t.amount, 0 FROM t;
END $$;
CREATE FUNCTION sql_transfer(p_from integer, p_to integer, p_amount bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE t bigint; a record;
BEGIN
  PERFORM 1 FROM sql_accounts WHERE id IN (p_from, p_to) ORDER BY id FOR UPDATE;
  INSERT INTO p_transfers (from_id, to_id, amount) VALUES (p_from, p_to, p_amount) RETURNING id INTO t;
  UPDATE sql_accounts SET balance = balance - p_amount, version = version + 1 WHERE id = p_from RETURNING balance, version INTO a;
  INSERT INTO p_entries (account_id, transfer_id, amount, balance_after) VALUES (p_from, t, -p_amount, a.balance);
  UPDATE sql_accounts SET balance = balance + p_amount, version = version + 1 WHERE id = p_to RETURNING balance, version INTO a;
  INSERT INTO p_entries (account_id, transfer_id, amount, balance_after) VALUES (p_to, t, p_amount, a.balance);
  RETURN t;
END $$;
`;

async function main(): Promise<void> {
  const schema = `probe_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
  await admin.query(ddl);
  await admin.query('INSERT INTO sql_accounts SELECT g, 0, 0 FROM generate_series(0, 49) AS g');
  const url = new URL(testDatabaseUrl());
  url.searchParams.set('options', `-c search_path=${schema}`);
  const pool = new pg.Pool({ connectionString: url.toString(), max: 8 });
  const count = Number(process.env['N'] ?? 8000);
  try {
    for (const round of [1, 2]) {
      const sqlMs = await runConcurrently(count, 8, async () => {
        const f = Math.floor(Math.random() * 50); let t = Math.floor(Math.random() * 49); if (t >= f) t++;
        await pool.query('SELECT sql_transfer($1, $2, 100)', [f, t]);
      }, () => undefined);
      process.stdout.write(`round ${round} pure-SQL 8 clients: ${(count / sqlMs * 1000).toFixed(0)}/s` + '\n');
      for (const inFlightMax of [1, 2, 3]) {
        type W = { f: number; t: number; resolve: () => void; reject: (e: unknown) => void };
        let queue: W[] = []; let inFlight = 0; let scheduled = false;
        const pump = (): void => {
          if (scheduled) return; scheduled = true;
          setImmediate(() => {
            scheduled = false;
            while (inFlight < inFlightMax && queue.length > 0) {
              const batch = queue; queue = []; inFlight++;
              const body = JSON.stringify(batch.map((w, o) => ({ f: w.f, t: w.t, a: 100, o })));
              pool.query('SELECT p_batch($1::jsonb)', [body]).then(() => { for (const w of batch) w.resolve(); }, (e: unknown) => { for (const w of batch) w.reject(e); })
                .finally(() => { inFlight--; pump(); });
            }
          });
        };
        const ms = await runConcurrently(count, 8, () => new Promise<void>((resolve, reject) => {
          const f = Math.floor(Math.random() * 50); let t = Math.floor(Math.random() * 49); if (t >= f) t++;
          queue.push({ f, t, resolve, reject }); pump();
        }), () => undefined);
        process.stdout.write(`round ${round} insert-only batches, ${inFlightMax} in flight, 8 clients: ${(count / ms * 1000).toFixed(0)}/s` + '\n');
      }
    }
  } finally {
    await pool.end();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}
await main();

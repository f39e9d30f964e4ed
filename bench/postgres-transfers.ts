// `npm run bench:postgres`: ledger transfers/s between random accounts on the local
// PostgreSQL, through Contra's store (group commit), against a baseline measured in the
// same run: a pure-SQL ledger, one PL/pgSQL call and one commit per transfer (the design
// of pgledger and similar ledgers), on the same server. Accounts: 50 (spread) and 10
// (contention); clients: 1, 8 and 64 callers at once. synchronous_commit stays on throughout.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { AccountId, TenantId, TransferId } from '../src/domain/ids.ts';
import { openPostgresStore } from '../src/adapters/store/postgres/postgres-store.ts';
import { testDatabaseUrl } from '../src/adapters/store/postgres/test-database.ts';
import { systemClock } from '../src/adapters/system/system-clock.ts';
import { describeMachine } from './report.ts';
import { backendsCpu, cpuSpentMs } from './server-cpu.ts';
import { runConcurrently } from './run-concurrently.ts';
import { LatencyRecorder, operationsPerSecond, type ScenarioResult } from './stats.ts';

const transfersPerScenario = Number(process.env['BENCH_TRANSFERS'] ?? 20_000);
const serialTransfers = Math.ceil(transfersPerScenario / 4);
const storesPerScenario = Number(process.env['BENCH_STORES'] ?? 1);
/**
 * Untimed transfers before each scenario, for both ledgers (BENCH_WARMUP, or as many as the
 * scenario times, at most 8,000): enough for V8 to optimise the store's hot path. With 500,
 * Node spent 61 µs per transfer in the first scenario of a run against 44 in the same
 * scenario run again; with 2,000, 106 against 77 and 60 in a third run; with 8,000, 66
 * against 50 (the pure-SQL ledger's own Node CPU moving 58 → 48 in the same runs).
 */
function warmupTransfers(count: number): number {
  const configured = process.env['BENCH_WARMUP'];
  return configured === undefined || configured === '' ? Math.min(8_000, count) : Number(configured);
}

/** A comma-separated list of counts from the environment (e.g. BENCH_CLIENTS=8), or the defaults. */
function listOf(name: string, defaults: readonly number[]): readonly number[] {
  const value = process.env[name];
  return value === undefined || value === '' ? defaults : value.split(',').map(Number);
}

/** A scenario's result with the CPU it cost: PostgreSQL backends (from /proc, when local) and this Node process. */
type Measured = ScenarioResult & { readonly serverCpuMs: number | null; readonly nodeCpuMs: number };

/** Runs the timed part of a scenario, reading the CPU its backends (tagged by application_name) and Node spent. */
async function measured(admin: pg.Client, applicationName: string, count: number, clients: number, transfer: (index: number) => Promise<void>):
Promise<{ elapsedMs: number; latency: LatencyRecorder; serverCpuMs: number | null; nodeCpuMs: number }> {
  const latency = new LatencyRecorder(count);
  const serverBefore = await backendsCpu(admin, applicationName);
  const nodeBefore = process.cpuUsage();
  const elapsedMs = await runConcurrently(count, clients, transfer, (ms) => { latency.record(ms); });
  const node = process.cpuUsage(nodeBefore);
  const serverCpuMs = cpuSpentMs(serverBefore, await backendsCpu(admin, applicationName));
  return { elapsedMs, latency, serverCpuMs, nodeCpuMs: (node.user + node.system) / 1000 };
}

/** Runs `work` in a fresh schema; its connections carry the schema's name as application_name. */
async function withSchema<T>(work: (url: string, admin: pg.Client, applicationName: string) => Promise<T>): Promise<T> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`SET search_path = ${schema}`);
    const url = new URL(testDatabaseUrl());
    url.searchParams.set('options', `-c search_path=${schema}`);
    url.searchParams.set('application_name', schema);
    return await work(url.toString(), admin, schema);
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

function pick(accounts: number): [number, number] {
  const from = Math.floor(Math.random() * accounts);
  let to = Math.floor(Math.random() * (accounts - 1));
  if (to >= from) to++;
  return [from, to];
}

async function contraScenario(accounts: number, clients: number, count: number): Promise<Measured> {
  return withSchema(async (url, admin, applicationName) => {
    // BENCH_STORES=2: callers split between two stores, as between two service instances.
    const stores = Array.from({ length: storesPerScenario }, () =>
      openPostgresStore({ connectionString: url, clock: systemClock, poolSize: 6, batchesInFlight: Number(process.env['BENCH_IN_FLIGHT'] ?? 1) }));
    const [store] = stores;
    if (store === undefined) throw new Error('BENCH_STORES must be at least 1');
    try {
      await store.migrate();
      const tenantId = 'ten_bench' as TenantId;
      const opened = await store.commit({
        tenantId, at: Date.now(),
        accounts: Array.from({ length: accounts }, (_, index) => ({ id: `acct-${index}` as AccountId, tenantId, type: 'merchant' as const, currency: 'NGN' as const, name: `account ${index}`, allowNegative: true })),
      });
      if (!opened.ok) throw new Error('could not open the accounts');
      const transfer = async (index: number): Promise<void> => {
        const [from, to] = pick(accounts);
        const result = await (stores[index % stores.length] ?? store).commit({
          tenantId, at: Date.now(),
          transfers: [{ id: `t-${index}` as TransferId, kind: 'posted', debitAccountId: `acct-${from}` as AccountId, creditAccountId: `acct-${to}` as AccountId, amountMinor: 100n, currency: 'NGN', code: 'bench' }],
        });
        if (!result.ok) throw new Error(`transfer ${index} refused: ${result.conflict.kind}`);
      };
      await runConcurrently(warmupTransfers(count), clients, (index) => transfer(count + index), () => undefined);
      const run = await measured(admin, applicationName, count, clients, transfer);
      const name = stores.length === 1 ? 'Contra store' : `Contra, ${stores.length} stores`;
      return { name: `${name}, ${accounts} accounts`, concurrency: clients, operations: count, commitsPerOperation: 1, ...run, latency: run.latency.summary() };
    } finally {
      await Promise.all(stores.map((each) => each.close()));
    }
  });
}

/** The baseline: a ledger in SQL alone, each transfer one function call in its own transaction. */
const pureSqlLedger = `
CREATE TABLE sql_accounts (id integer PRIMARY KEY, balance bigint NOT NULL, version bigint NOT NULL);
CREATE TABLE sql_transfers (id bigserial PRIMARY KEY, from_id integer NOT NULL REFERENCES sql_accounts, to_id integer NOT NULL REFERENCES sql_accounts,
  amount bigint NOT NULL CHECK (amount > 0), created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE sql_entries (id bigserial PRIMARY KEY, account_id integer NOT NULL REFERENCES sql_accounts, transfer_id bigint NOT NULL REFERENCES sql_transfers,
  amount bigint NOT NULL, balance_after bigint NOT NULL, version bigint NOT NULL);
CREATE FUNCTION sql_transfer(p_from integer, p_to integer, p_amount bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE t bigint; a record;
BEGIN
  PERFORM 1 FROM sql_accounts WHERE id IN (p_from, p_to) ORDER BY id FOR UPDATE;
  INSERT INTO sql_transfers (from_id, to_id, amount) VALUES (p_from, p_to, p_amount) RETURNING id INTO t;
  UPDATE sql_accounts SET balance = balance - p_amount, version = version + 1 WHERE id = p_from RETURNING balance, version INTO a;
  INSERT INTO sql_entries (account_id, transfer_id, amount, balance_after, version) VALUES (p_from, t, -p_amount, a.balance, a.version);
  UPDATE sql_accounts SET balance = balance + p_amount, version = version + 1 WHERE id = p_to RETURNING balance, version INTO a;
  INSERT INTO sql_entries (account_id, transfer_id, amount, balance_after, version) VALUES (p_to, t, p_amount, a.balance, a.version);
  RETURN t;
END $$;
`;

async function pureSqlScenario(accounts: number, clients: number, count: number): Promise<Measured> {
  return withSchema(async (url, admin, applicationName) => {
    await admin.query(pureSqlLedger);
    await admin.query('INSERT INTO sql_accounts SELECT g, 0, 0 FROM generate_series(0, $1 - 1) AS g', [accounts]);
    const pool = new pg.Pool({ connectionString: url, max: Math.min(clients, 32) });
    try {
      const transfer = async (): Promise<void> => {
        const [from, to] = pick(accounts);
        await pool.query('SELECT sql_transfer($1, $2, 100)', [from, to]);
      };
      await runConcurrently(warmupTransfers(count), clients, transfer, () => undefined);
      const run = await measured(admin, applicationName, count, clients, transfer);
      return { name: `pure-SQL ledger, ${accounts} accounts`, concurrency: clients, operations: count, commitsPerOperation: 1, ...run, latency: run.latency.summary() };
    } finally {
      await pool.end();
    }
  });
}

/** CPU µs per transfer, or '–' when the server's CPU could not be read. */
function perTransferUs(cpuMs: number | null, result: ScenarioResult): string {
  return cpuMs === null ? '–' : ((cpuMs * 1000) / result.operations).toFixed(0);
}

function progress(result: Measured): Measured {
  process.stderr.write(`  ${result.name} K=${result.concurrency}: ${operationsPerSecond(result).toFixed(0)} transfers/s, p50 ${result.latency.p50Ms.toFixed(2)} ms, p99 ${result.latency.p99Ms.toFixed(2)} ms, `
    + `server CPU ${perTransferUs(result.serverCpuMs, result)} µs/transfer, Node CPU ${perTransferUs(result.nodeCpuMs, result)} µs/transfer\n`);
  return result;
}

type Pair = { readonly sql: Measured; readonly contra: Measured };

function table(pairs: readonly Pair[], markdown: boolean): string {
  const header = ['scenario', 'accounts', 'clients', 'transfers', 'transfers/s', 'p50 ms', 'p99 ms', '÷ pure-SQL, same load', 'server CPU µs/transfer', 'Node CPU µs/transfer'];
  const lines = pairs.flatMap(({ sql, contra }) => [sql, contra].map((result) => [
    result.name.replace(/, \d+ accounts$/, ''), result.name.replace(/^.*, (\d+) accounts$/, '$1'), String(result.concurrency), String(result.operations),
    operationsPerSecond(result).toFixed(0), result.latency.p50Ms.toFixed(2), result.latency.p99Ms.toFixed(2),
    (operationsPerSecond(result) / operationsPerSecond(sql)).toFixed(2),
    perTransferUs(result.serverCpuMs, result), perTransferUs(result.nodeCpuMs, result),
  ]));
  if (markdown) return [header, header.map((_, index) => (index === 0 ? '---' : '---:')), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const widths = header.map((_, column) => Math.max(...[header, ...lines].map((cells) => (cells[column] ?? '').length)));
  return [header, ...lines].map((cells) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const machine = describeMachine();
  process.stderr.write(`Contra PostgreSQL benchmark · ${machine} · ${testDatabaseUrl()}\n`);
  const pairs: Pair[] = [];
  for (const accounts of listOf('BENCH_ACCOUNTS', [50, 10])) {
    for (const clients of listOf('BENCH_CLIENTS', [1, 8, 64])) {
      const count = clients === 1 ? serialTransfers : transfersPerScenario;
      const sql = progress(await pureSqlScenario(accounts, clients, count));
      const contra = progress(await contraScenario(accounts, clients, count));
      pairs.push({ sql, contra });
    }
  }
  process.stdout.write(`\nContra PostgreSQL benchmark · ${machine}\n\n${table(pairs, false)}\n`);
  if (process.argv.includes('--markdown')) process.stdout.write(`\n${table(pairs, true)}\n`);
}

await main();

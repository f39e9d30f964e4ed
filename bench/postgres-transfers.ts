// `npm run bench:postgres`: ledger transfers/s between random accounts on the local
// PostgreSQL, through Contra's store (group commit), against two baselines measured in the
// same run on the same server, each one PL/pgSQL call and one commit per transfer
// (postgres-ledgers.ts): the least a ledger in SQL can do, and the work pgledger does, in
// phases that alternate with Contra's. Accounts: 50 (spread) and 10 (contention); clients:
// 1, 8 and 64 callers at once. synchronous_commit stays on throughout.
import pg from 'pg';
import type { AccountId, TenantId, TransferId } from '../src/domain/ids.ts';
import { openPostgresStore } from '../src/adapters/store/postgres/postgres-store.ts';
import { testDatabaseUrl } from '../src/adapters/store/postgres/test-database.ts';
import { systemClock } from '../src/adapters/system/system-clock.ts';
import { invariant } from '../src/domain/invariant.ts';
import { describeMachine } from './report.ts';
import { openPgledgerEquivalent, openPureSql, openSchema, pick, type Ledger } from './postgres-ledgers.ts';
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

async function openContra(admin: pg.Client, accounts: number): Promise<Ledger> {
  const schema = await openSchema(admin);
  // BENCH_STORES=2: callers split between two stores, as between two service instances.
  const stores = Array.from({ length: storesPerScenario }, () =>
    openPostgresStore({ connectionString: schema.url, clock: systemClock, poolSize: 6, batchesInFlight: Number(process.env['BENCH_IN_FLIGHT'] ?? 1) }));
  const [store] = stores;
  if (store === undefined) throw new Error('BENCH_STORES must be at least 1');
  await store.migrate();
  const tenantId = 'ten_bench' as TenantId;
  const opened = await store.commit({
    tenantId, at: Date.now(),
    accounts: Array.from({ length: accounts }, (_, index) => ({ id: `acct-${index}` as AccountId, tenantId, type: 'merchant' as const, currency: 'NGN' as const, name: `account ${index}`, allowNegative: true })),
  });
  if (!opened.ok) throw new Error('could not open the accounts');
  const emptied = process.env['BENCH_WRITE'] === 'none';
  if (emptied) await admin.query(emptiedWrite(schema.name));
  return {
    name: `${stores.length === 1 ? 'Contra store' : `Contra, ${stores.length} stores`}${emptied ? ', write emptied' : ''}`,
    applicationName: schema.name,
    async transfer(index: number): Promise<void> {
      const [from, to] = pick(accounts);
      const result = await (stores[index % stores.length] ?? store).commit({
        tenantId, at: Date.now(),
        transfers: [{ id: `t-${index}` as TransferId, kind: 'posted', debitAccountId: `acct-${from}` as AccountId, creditAccountId: `acct-${to}` as AccountId, amountMinor: 100n, currency: 'NGN', code: 'bench' }],
      });
      if (!result.ok) throw new Error(`transfer ${index} refused: ${result.conflict.kind}`);
    },
    async close(): Promise<void> {
      await Promise.all(stores.map((each) => each.close()));
      await schema.drop();
    },
  };
}

/**
 * BENCH_WRITE=none: the ceiling of Contra's cycle on this host. The one-statement commit of
 * a batch decided on remembered rows (contra_batch_commit_v10) is replaced, in the
 * benchmark's schema only, by one that declares the tenants, takes the same document (so
 * the server still receives and parses it) and inserts one row, so that its commit still
 * writes and flushes the WAL: everything of a batch but the write itself. Node's side runs
 * unchanged. Not a ledger any more (balances stay where the accounts were opened): it
 * says what the same cycle would do if the write cost the server nothing.
 */
function emptiedWrite(schema: string): string {
  return `
CREATE TABLE ${schema}.emptied_batches (committed_at bigint NOT NULL);
CREATE OR REPLACE FUNCTION ${schema}.contra_batch_commit_v10(p_tenant_ids text, w jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('contra.tenant_ids', p_tenant_ids, true);
  INSERT INTO ${schema}.emptied_batches VALUES ((w->>'committed_at')::bigint);
  RETURN NULL;
END $$;
`;
}

/** What a ledger's phases of one scenario add up to. */
class Tally {
  elapsedMs = 0;
  nodeCpuMs = 0;
  serverCpuMs: number | null = 0;
  readonly latency: LatencyRecorder;

  constructor(count: number) {
    this.latency = new LatencyRecorder(count);
  }
}

/** Runs `count` transfers of `ledger` from `offset`, adding the time and the CPU they cost (backends by application_name, and Node) to `tally`. */
async function phase(admin: pg.Client, ledger: Ledger, clients: number, offset: number, count: number, tally: Tally): Promise<void> {
  const serverBefore = await backendsCpu(admin, ledger.applicationName);
  const nodeBefore = process.cpuUsage();
  tally.elapsedMs += await runConcurrently(count, clients, (index) => ledger.transfer(offset + index), (ms) => { tally.latency.record(ms); });
  const node = process.cpuUsage(nodeBefore);
  tally.nodeCpuMs += (node.user + node.system) / 1000;
  const server = cpuSpentMs(serverBefore, await backendsCpu(admin, ledger.applicationName));
  tally.serverCpuMs = tally.serverCpuMs === null || server === null ? null : tally.serverCpuMs + server;
}

/**
 * The baselines and Contra on the same accounts and callers, each warmed up, the database
 * vacuumed, then timed in
 * phases (BENCH_PHASES, 4 by default) whose order alternates (pure-SQL, pgledger-equivalent,
 * Contra, then Contra, pgledger-equivalent, pure-SQL, …), so that a neighbour's load that
 * comes and goes falls on all alike and the ratios compare them under the same conditions.
 */
async function scenario(admin: pg.Client, accounts: number, clients: number, count: number): Promise<Scenario> {
  const ledgers = [await openPureSql(admin, accounts, clients), await openPgledgerEquivalent(admin, accounts, clients), await openContra(admin, accounts)];
  try {
    for (const ledger of ledgers) await runConcurrently(warmupTransfers(count), clients, (index) => ledger.transfer(count + index), () => undefined);
    // As pgledger's own benchmark does before timing: the warm-up's dead row versions cleared for all alike.
    await admin.query('VACUUM');
    const runs = ledgers.map((ledger) => ({ ledger, tally: new Tally(count) }));
    const phases = Math.max(1, Number(process.env['BENCH_PHASES'] ?? 4));
    for (let index = 0, offset = 0; index < phases; index++) {
      const size = index === phases - 1 ? count - offset : Math.floor(count / phases);
      for (const { ledger, tally } of index % 2 === 0 ? runs : [...runs].reverse()) await phase(admin, ledger, clients, offset, size, tally);
      offset += size;
    }
    const [sql, pgledger, contra] = runs.map(({ ledger, tally }): Measured => progress({
      name: `${ledger.name}, ${accounts} accounts`, concurrency: clients, operations: count, commitsPerOperation: 1,
      elapsedMs: tally.elapsedMs, latency: tally.latency.summary(), serverCpuMs: tally.serverCpuMs, nodeCpuMs: tally.nodeCpuMs,
    }));
    invariant(sql !== undefined && pgledger !== undefined && contra !== undefined, 'one result per ledger');
    return { sql, pgledger, contra };
  } finally {
    for (const ledger of [...ledgers].reverse()) await ledger.close();
  }
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

type Scenario = { readonly sql: Measured; readonly pgledger: Measured; readonly contra: Measured };

function table(scenarios: readonly Scenario[], markdown: boolean): string {
  const header = ['scenario', 'accounts', 'clients', 'transfers', 'transfers/s', 'p50 ms', 'p99 ms', '÷ pure-SQL, same load', '÷ pgledger-eq., same load', 'server CPU µs/transfer', 'Node CPU µs/transfer'];
  const lines = scenarios.flatMap(({ sql, pgledger, contra }) => [sql, pgledger, contra].map((result) => [
    result.name.replace(/, \d+ accounts$/, ''), result.name.replace(/^.*, (\d+) accounts$/, '$1'), String(result.concurrency), String(result.operations),
    operationsPerSecond(result).toFixed(0), result.latency.p50Ms.toFixed(2), result.latency.p99Ms.toFixed(2),
    (operationsPerSecond(result) / operationsPerSecond(sql)).toFixed(2), (operationsPerSecond(result) / operationsPerSecond(pgledger)).toFixed(2),
    perTransferUs(result.serverCpuMs, result), perTransferUs(result.nodeCpuMs, result),
  ]));
  if (markdown) return [header, header.map((_, index) => (index === 0 ? '---' : '---:')), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const widths = header.map((_, column) => Math.max(...[header, ...lines].map((cells) => (cells[column] ?? '').length)));
  return [header, ...lines].map((cells) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const machine = describeMachine();
  process.stderr.write(`Contra PostgreSQL benchmark · ${machine} · ${testDatabaseUrl()}\n`);
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  const scenarios: Scenario[] = [];
  try {
    for (const accounts of listOf('BENCH_ACCOUNTS', [50, 10])) {
      for (const clients of listOf('BENCH_CLIENTS', [1, 8, 64])) {
        scenarios.push(await scenario(admin, accounts, clients, clients === 1 ? serialTransfers : transfersPerScenario));
      }
    }
  } finally {
    await admin.end();
  }
  process.stdout.write(`\nContra PostgreSQL benchmark · ${machine}\n\n${table(scenarios, false)}\n`);
  if (process.argv.includes('--markdown')) process.stdout.write(`\n${table(scenarios, true)}\n`);
}

await main();

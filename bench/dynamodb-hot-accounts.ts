// `npm run bench:dynamodb`: payments into ONE hot merchant account through the DynamoDB
// store, with its balance sharded (the design) and as a single item (the baseline), against
// a ceiling measured in the same run where every client pays into accounts of its own.
// Runs on DynamoDB Local (CONTRA_DYNAMODB_ENDPOINT, or one started for the run): ratios only.
// DynamoDB Local runs transactions one at a time and never reports a TransactionConflict,
// so the figure that carries over to AWS is counted from the requests themselves: pairs of
// transactions in flight at the same time that write a common item (AWS cancels one of them).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { DynamoDBClient, TransactGetItem, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { AccountId, TenantId, TransferId } from '../src/domain/ids.ts';
import { openDynamoDbStore } from '../src/adapters/store/dynamodb/dynamodb-store.ts';
import { emulatorClient, testTables } from '../src/adapters/store/dynamodb/test-emulator.ts';
import { balanceShardsCount } from '../src/adapters/store/dynamodb/keys.ts';
import { systemClock } from '../src/adapters/system/system-clock.ts';
import { describeMachine } from './report.ts';
import { runConcurrently } from './run-concurrently.ts';
import { LatencyRecorder, operationsPerSecond, type ScenarioResult } from './stats.ts';

const paymentsPerScenario = Number(process.env['BENCH_PAYMENTS'] ?? 1_500);
const clientCounts = [1, 16];

type Workload = { readonly name: string; readonly shards: number; readonly hot: boolean };
const workloads: readonly Workload[] = [
  { name: 'own accounts per client (ceiling)', shards: balanceShardsCount, hot: false },
  { name: `hot merchant, ${balanceShardsCount} balance shards`, shards: balanceShardsCount, hot: true },
  { name: 'hot merchant, one balance item', shards: 1, hot: true },
];

type Result = ScenarioResult & { readonly racesLostPerPayment: number; readonly collisionsPerPayment: number };

type Flight = { readonly startMs: number; endMs: number; readonly keys: ReadonlySet<string> };

function keysOf(items: readonly (TransactWriteItem | TransactGetItem)[]): Set<string> {
  return new Set(items.flatMap((item) => {
    if ('Get' in item) return [];
    const key = item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key ?? {};
    return [`${item.Put?.TableName ?? item.Update?.TableName ?? ''}|${key['pk']?.S ?? ''}|${key['sk']?.S ?? ''}`];
  }));
}

/** Records every TransactWriteItems call: when it was in flight and which items it wrote. */
function recordFlights(client: DynamoDBClient, flights: Flight[]): void {
  client.middlewareStack.add((next) => async (args) => {
    const input = args.input;
    const items = 'TransactItems' in input ? input.TransactItems : undefined;
    if (items === undefined) return next(args);
    const flight: Flight = { startMs: performance.now(), endMs: Number.POSITIVE_INFINITY, keys: keysOf(items) };
    flights.push(flight);
    try {
      return await next(args);
    } finally {
      flight.endMs = performance.now();
    }
  }, { step: 'initialize', name: 'benchFlights' });
}

/** Pairs of transactions that overlapped in time and wrote a common item. */
function collisions(flights: readonly Flight[]): number {
  const ordered = [...flights].sort((a, b) => a.startMs - b.startMs);
  let count = 0;
  for (const [index, flight] of ordered.entries()) {
    for (const later of ordered.slice(index + 1)) {
      if (later.startMs >= flight.endMs) break;
      if ([...later.keys].some((key) => flight.keys.has(key))) count++;
    }
  }
  return count;
}

async function scenario(endpoint: string, workload: Workload, clients: number): Promise<Result> {
  const tables = testTables('bench');
  const client = emulatorClient(endpoint);
  const flights: Flight[] = [];
  const store = openDynamoDbStore({ client, tables, clock: systemClock, balanceShards: workload.shards });
  try {
    await store.migrate();
    const tenantId = `ten_bench_${randomBytes(4).toString('hex')}` as TenantId;
    const pairs = workload.hot ? 1 : clients;
    const opened = await store.commit({
      tenantId, at: Date.now(),
      accounts: Array.from({ length: pairs }, (_, index) => [
        { id: `clearing-${index}` as AccountId, tenantId, type: 'processor_clearing' as const, currency: 'NGN' as const, name: 'clearing', allowNegative: true },
        { id: `merchant-${index}` as AccountId, tenantId, type: 'merchant' as const, currency: 'NGN' as const, name: 'merchant', allowNegative: true },
      ]).flat(),
    });
    if (!opened.ok) throw new Error('could not open the accounts');
    let lane = 0;
    const pay = async (index: number): Promise<void> => {
      const pair = workload.hot ? 0 : lane++ % pairs;
      const result = await store.commit({
        tenantId, at: Date.now(),
        transfers: [{ id: `pay-${index}` as TransferId, kind: 'posted', debitAccountId: `clearing-${pair}` as AccountId, creditAccountId: `merchant-${pair}` as AccountId, amountMinor: 1_000n, currency: 'NGN', code: 'payment', transactionId: `txn-${index}` }],
        ledgerEntries: [{ transactionId: `txn-${index}`, sequence: 1, status: 'PAYMENT-SUCCESS', at: Date.now(), transferIds: [`pay-${index}` as TransferId], details: {} }],
      });
      if (!result.ok) throw new Error(`payment ${index} refused: ${result.conflict.kind}`);
    };
    await runConcurrently(100, clients, (index) => pay(paymentsPerScenario + index), () => undefined);
    const racesBefore = store.racesLost;
    recordFlights(client, flights);
    const latencies = new LatencyRecorder(paymentsPerScenario);
    const elapsedMs = await runConcurrently(paymentsPerScenario, clients, pay, (ms) => { latencies.record(ms); });
    return {
      name: workload.name, concurrency: clients, operations: paymentsPerScenario, commitsPerOperation: 1, elapsedMs,
      latency: latencies.summary(), racesLostPerPayment: (store.racesLost - racesBefore) / paymentsPerScenario,
      collisionsPerPayment: collisions(flights) / paymentsPerScenario,
    };
  } finally {
    await store.close();
    await tables.drop(endpoint);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => { resolve(typeof address === 'object' && address !== null ? address.port : 0); });
    });
  });
}

/** The configured emulator, or one started for this run (and a way to stop it). */
async function emulator(): Promise<{ endpoint: string; stop: () => void }> {
  const configured = process.env['CONTRA_DYNAMODB_ENDPOINT'];
  if (configured !== undefined && configured !== '') return { endpoint: configured, stop: () => undefined };
  const port = await freePort();
  const started = spawnSync('bash', ['scripts/dynamodb-local-setup.sh', '--start', String(port)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = Number.parseInt(started.stdout.trim(), 10);
  if (started.status !== 0 || !Number.isSafeInteger(pid)) throw new Error('DynamoDB Local did not start (scripts/dynamodb-local-setup.sh)');
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => { process.kill(pid); } };
}

function table(results: readonly Result[], markdown: boolean): string {
  const header = ['scenario', 'clients', 'payments', 'payments/s', 'p50 ms', 'p99 ms', 'races lost / payment', 'same-item overlaps / payment', 'payments/s ÷ ceiling'];
  const lines = results.map((result) => {
    const ceiling = results.find((other) => other.concurrency === result.concurrency && other.name === workloads[0]?.name) ?? result;
    return [result.name, String(result.concurrency), String(result.operations), operationsPerSecond(result).toFixed(0),
      result.latency.p50Ms.toFixed(1), result.latency.p99Ms.toFixed(1), result.racesLostPerPayment.toFixed(2), result.collisionsPerPayment.toFixed(2),
      (operationsPerSecond(result) / operationsPerSecond(ceiling)).toFixed(2)];
  });
  if (markdown) return [header, header.map((_, index) => (index === 0 ? '---' : '---:')), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const widths = header.map((_, column) => Math.max(...[header, ...lines].map((cells) => (cells[column] ?? '').length)));
  return [header, ...lines].map((cells) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const machine = describeMachine();
  const { endpoint, stop } = await emulator();
  try {
    process.stderr.write(`Contra DynamoDB hot-account benchmark · ${machine} · ${endpoint}\n`);
    const results: Result[] = [];
    for (const clients of clientCounts) {
      for (const workload of workloads) {
        const result = await scenario(endpoint, workload, clients);
        process.stderr.write(`  ${result.name} K=${clients}: ${operationsPerSecond(result).toFixed(0)} payments/s, same-item overlaps/payment ${result.collisionsPerPayment.toFixed(2)}\n`);
        results.push(result);
      }
    }
    process.stdout.write(`\nContra DynamoDB hot-account benchmark · ${machine}\n\n${table(results, false)}\n`);
    if (process.argv.includes('--markdown')) process.stdout.write(`\n${table(results, true)}\n`);
  } finally {
    stop();
  }
}

await main();

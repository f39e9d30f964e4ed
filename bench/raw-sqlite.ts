// The baseline: plain better-sqlite3 inserts on a temporary file opened exactly like the
// store's (WAL, synchronous=FULL, same cache), one row per transaction and batched.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/adapters/store/sqlite/sql.ts';
import { groupCommitChangesetsMax } from '../src/adapters/store/sqlite/group-commit.ts';
import { LatencyRecorder, type ScenarioResult } from './stats.ts';

/** Rows per transaction in the batched run: the store's own group-commit batch limit. */
export const rawBatchRows = groupCommitChangesetsMax;
/** Enough room for the samples of any run the duration allows on fast disks. */
const rawSamplesMax = 2_000_000;

/** Shaped like a payment row: an id under a tenant, a status, money and a JSON body. */
const rawSchema = `
CREATE TABLE payments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  status TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (tenant_id, transaction_id)
);`;

const insertSql = `INSERT INTO payments (tenant_id, transaction_id, status, amount_minor, currency, body, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?)`;

/** About the size of a stored payment body (sealed card token, charges, processor answer). */
const rawBody = JSON.stringify({ card: { brand: 'visa', last4: '4242' }, secure_token: 'x'.repeat(360), charges: [{ type: 'fee', amount_minor: '150' }] });

type RawMode = { readonly name: string; readonly rowsPerTransaction: number };

export const rawSingle: RawMode = { name: 'raw SQLite, 1 row/commit', rowsPerTransaction: 1 };
export const rawBatched: RawMode = { name: `raw SQLite, ${rawBatchRows} rows/commit`, rowsPerTransaction: rawBatchRows };

/** Inserts for `durationMs`, one transaction (one fsync of the WAL) at a time. */
export function measureRawInserts(mode: RawMode, durationMs: number): ScenarioResult {
  const directory = mkdtempSync(join(tmpdir(), 'contra-bench-raw-'));
  const database = openDatabase(join(directory, 'raw.db'));
  try {
    database.exec(rawSchema);
    const insert = database.prepare(insertSql);
    const begin = database.prepare('BEGIN IMMEDIATE');
    const commit = database.prepare('COMMIT');
    const latencies = new LatencyRecorder(rawSamplesMax);
    let rows = 0;
    const startedMs = performance.now();
    let nowMs = startedMs;
    while (nowMs - startedMs < durationMs) {
      const transactionStartedMs = nowMs;
      begin.run();
      for (let index = 0; index < mode.rowsPerTransaction; index++, rows++) {
        insert.run('ten_bench', `raw-${rows}`, 'PAYMENT-SUCCESS', 10_000, 'NGN', rawBody, Date.now());
      }
      commit.run();
      nowMs = performance.now();
      latencies.record(nowMs - transactionStartedMs);
    }
    return {
      name: mode.name,
      concurrency: 1,
      operations: rows,
      commitsPerOperation: 1 / mode.rowsPerTransaction,
      elapsedMs: nowMs - startedMs,
      latency: latencies.summary(),
    };
  } finally {
    database.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

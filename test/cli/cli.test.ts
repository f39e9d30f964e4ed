// The `contra` command as an operator runs it (T6): the real bin/contra.mjs in a child
// process, without a shell, each test with its own data directory, its own bootstrap
// token and silent logs. Exit codes are part of the contract: 0 done, 1 the audit trail
// is broken (or the command line is wrong), 2 the configuration is wrong.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { freePort } from '../support/ports.ts';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const contraBin = join(repositoryRoot, 'bin', 'contra.mjs');
/** A command that takes longer than this is stuck; it is killed and the test fails. */
const commandTimeoutMs = 30_000;
/** How long `serve` may take to answer /healthz, polled every `healthPollIntervalMs`. */
const serveStartTimeoutMs = 20_000;
const healthPollIntervalMs = 100;
/** How long `serve` may take to exit after SIGTERM. */
const shutdownTimeoutMs = 5_000;
/**
 * The budget of a whole suite of child processes. Each spawns a Node process with tsx; on
 * a 2-core machine shared with other builds one spawn can take 10 s, and 60 s cancelled
 * the last tests of the suite under such load.
 */
const testTimeoutMs = 240_000;
const checkModes = process.platform !== 'win32';

type Finished = { readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string };
type Running = { readonly child: ChildProcess; readonly finished: Promise<Finished>; output(): { stdout: string; stderr: string } };

/** The parent's environment without anything that configures Contra or the test runner. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('CONTRA_') || ['PORT', 'HOST', 'DATABASE_URL', 'NODE_TEST_CONTEXT'].includes(name)) continue;
    environment[name] = value;
  }
  return environment;
}

type Workspace = { readonly dataDir: string; environment(extra?: Record<string, string | undefined>): NodeJS.ProcessEnv };

/** A temporary directory of the test's own; the data directory inside it does not exist yet. */
function workspace(t: TestContext): Workspace {
  const directory = mkdtempSync(join(tmpdir(), 'contra-cli-'));
  t.after(() => {
    rmSync(directory, { recursive: true, force: true });
  });
  const dataDir = join(directory, 'data');
  const adminToken = `cli-test-token-${randomBytes(16).toString('hex')}`;
  return {
    dataDir,
    /** The test's environment; a variable given as undefined is left out. */
    environment(extra = {}) {
      const environment: Record<string, string | undefined> = { ...cleanEnvironment(), CONTRA_DATA_DIR: dataDir, CONTRA_ADMIN_TOKEN: adminToken, CONTRA_LOG_LEVEL: 'silent', ...extra };
      return Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined));
    },
  };
}

function start(t: TestContext, args: readonly string[], environment: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [contraBin, ...args], { cwd: repositoryRoot, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const finished = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, finished, output: () => ({ stdout, stderr }) };
}

async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} took longer than ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `contra <args>` to its end; a command still running after the timeout is killed. */
async function contra(t: TestContext, args: readonly string[], environment: NodeJS.ProcessEnv): Promise<Finished> {
  const running = start(t, args, environment);
  try {
    return await within(running.finished, commandTimeoutMs, `contra ${args.join(' ')}`);
  } catch (error) {
    running.child.kill('SIGKILL');
    throw error;
  }
}

function describeRun(run: Finished): string {
  return `exit ${String(run.code)} signal ${String(run.signal)}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

type Served = Running & { readonly baseUrl: string };

/** Starts `contra serve` on a free port and waits until /healthz answers 200. */
async function serve(t: TestContext, environment: NodeJS.ProcessEnv): Promise<Served> {
  const port = await freePort();
  const running = start(t, ['serve'], { ...environment, HOST: '127.0.0.1', PORT: String(port) });
  const baseUrl = `http://127.0.0.1:${port}`;
  const state: { exited: Finished | null } = { exited: null };
  void running.finished.then((finished) => {
    state.exited = finished;
  });
  for (let attempt = 0; attempt < serveStartTimeoutMs / healthPollIntervalMs; attempt++) {
    if (state.exited !== null) assert.fail(`serve exited before it answered /healthz: ${describeRun(state.exited)}`);
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return { ...running, baseUrl };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, healthPollIntervalMs));
  }
  const { stdout, stderr } = running.output();
  return assert.fail(`serve did not answer /healthz within ${serveStartTimeoutMs} ms\n${stdout}\n${stderr}`);
}

/** Sends SIGTERM and waits, bounded, for the process to end on its own. */
async function terminate(served: Served): Promise<Finished> {
  served.child.kill('SIGTERM');
  return within(served.finished, shutdownTimeoutMs, 'serve shutting down after SIGTERM');
}

/** `  PAYMENT-SUCCESS: 11` lines of the demo's summary. */
function outcomeCounts(stdout: string): Map<string, number> {
  return new Map([...stdout.matchAll(/^ {2}([A-Z_-]+): (\d+)$/gm)].map((match) => [match[1]!, Number(match[2])]));
}

function tenantOf(stdout: string): string {
  const match = /^tenant (ten_[0-9A-Za-z]+)$/m.exec(stdout);
  assert.ok(match !== null, `no tenant line in:\n${stdout}`);
  return match[1]!;
}

describe('contra command', { timeout: testTimeoutMs }, () => {
  it('lists its commands under --help', async (t) => {
    const run = await contra(t, ['--help'], workspace(t).environment());
    assert.equal(run.code, 0, describeRun(run));
    for (const command of ['serve', 'migrate', 'verify-audit', 'detect', 'reconcile', 'report', 'demo']) {
      assert.match(run.stdout, new RegExp(`^ +${command}\\b`, 'm'), `--help does not list ${command}`);
    }
  });

  const badConfigurations: { variable: string; value: string; command: string; secret: boolean }[] = [
    { variable: 'PORT', value: 'notaport', command: 'serve', secret: false },
    { variable: 'CONTRA_ADMIN_TOKEN', value: 'too-short', command: 'migrate', secret: true },
  ];
  for (const { variable, value, command, secret } of badConfigurations) {
    it(`stops ${command} with exit 2 and names ${variable} when it is not valid, creating nothing`, async (t) => {
      const space = workspace(t);
      const run = await contra(t, [command], space.environment({ [variable]: value }));
      assert.equal(run.code, 2, describeRun(run));
      assert.match(run.stderr, new RegExp(`\\b${variable}\\b`), describeRun(run));
      if (secret) assert.ok(!run.stderr.includes(value), 'a rejected secret is not echoed');
      assert.equal(existsSync(space.dataDir), false, 'nothing is created when the configuration is wrong');
    });
  }

  it('refuses a --payments count that is not a positive whole number, creating no tenant', async (t) => {
    const space = workspace(t);
    for (const count of ['abc', '0', '-5']) {
      const run = await contra(t, ['demo', '--payments', count], space.environment());
      assert.equal(run.code, 1, `--payments ${count}: ${describeRun(run)}`);
      assert.match(run.stderr, /--payments/);
      assert.doesNotMatch(run.stdout, /^tenant /m);
    }
    assert.equal(existsSync(space.dataDir), false);
  });

  it('migrate creates the data directory (0700), the database and the master key (0600), and is safe to repeat', async (t) => {
    const space = workspace(t);
    for (let round = 1; round <= 2; round++) {
      const run = await contra(t, ['migrate'], space.environment());
      assert.equal(run.code, 0, describeRun(run));
      assert.match(run.stdout, /migrated the sqlite store/);
    }
    assert.ok(existsSync(join(space.dataDir, 'contra.db')));
    if (checkModes) {
      assert.equal(statSync(space.dataDir).mode & 0o777, 0o700);
      assert.equal(statSync(join(space.dataDir, 'master.key')).mode & 0o777, 0o600);
    }
    const database = new Database(join(space.dataDir, 'contra.db'), { readonly: true });
    try {
      const versions = database.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
      assert.deepEqual(versions, [1, 2, 3], 'the second run applied nothing again');
      const tables = database.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      for (const table of ['records', 'accounts', 'transfers', 'ledger_entries', 'audit_records', 'audit_checkpoints']) {
        assert.ok(tables.includes(table), `no ${table} table`);
      }
    } finally {
      database.close();
    }
  });

  it('demo creates a tenant, prints how the payments ended, and leaves an intact audit trail', async (t) => {
    const space = workspace(t);
    const demo = await contra(t, ['demo', '--payments', '20', '--concurrency', '4'], space.environment());
    assert.equal(demo.code, 0, describeRun(demo));
    const tenantId = tenantOf(demo.stdout);
    assert.match(demo.stdout, new RegExp(`^admin API key \\(shown once\\): ctr\\.${tenantId}\\.key_`, 'm'));
    const counts = outcomeCounts(demo.stdout);
    assert.equal([...counts.values()].reduce((sum, count) => sum + count, 0), 20, demo.stdout);
    for (const status of counts.keys()) assert.ok(['PAYMENT-SUCCESS', 'PAYMENT-FAILED', 'PAYMENT-PENDING'].includes(status), status);
    assert.ok((counts.get('PAYMENT-SUCCESS') ?? 0) > 0 && (counts.get('PAYMENT-FAILED') ?? 0) > 0, demo.stdout);

    const verify = await contra(t, ['verify-audit'], space.environment());
    assert.equal(verify.code, 0, describeRun(verify));
    const line = new RegExp(`^${tenantId}: intact, (\\d+) records checked$`, 'm').exec(verify.stdout);
    assert.ok(line !== null, verify.stdout);
    assert.ok(Number(line[1]) >= 3 * 20, 'at least initiated, pending and an outcome per payment');
    assert.doesNotMatch(verify.stdout, /broken/);
  });

  it('backup writes every tenant incrementally, and restore into an empty store gives the same chain head', async (t) => {
    const space = workspace(t);
    const environment = space.environment({ CONTRA_BACKUP_SETTLE_MS: '0' });
    const demo = await contra(t, ['demo', '--payments', '6', '--concurrency', '2'], environment);
    assert.equal(demo.code, 0, describeRun(demo));
    const tenantId = tenantOf(demo.stdout);
    const first = await contra(t, ['backup'], environment);
    assert.equal(first.code, 0, describeRun(first));
    const written = new RegExp(`^${tenantId}: (\\d+) audit records, \\d+ records -> folder (\\S+) \\(chain head ([0-9a-f]{64})\\)$`, 'm').exec(first.stdout);
    assert.ok(written !== null, first.stdout);
    assert.ok(Number(written[1]) >= 18, first.stdout);
    const second = await contra(t, ['backup', '--tenant', tenantId], environment);
    assert.equal(second.code, 0, describeRun(second));
    const head = /\(chain head ([0-9a-f]{64})\)/.exec(second.stdout)?.[1];
    assert.ok(head !== undefined, second.stdout);

    const target = workspace(t);
    const backupDir = join(space.dataDir, 'backups');
    const restored = await contra(t, ['restore', '--tenant', tenantId, '--from', backupDir], target.environment());
    assert.equal(restored.code, 0, describeRun(restored));
    assert.match(restored.stdout, new RegExp(`^${tenantId}: restored 2 backups, \\d+ audit records, \\d+ records; chain head ${head}$`, 'm'));
    const verify = await contra(t, ['verify-audit'], target.environment());
    assert.equal(verify.code, 0, describeRun(verify));
    assert.match(verify.stdout, new RegExp(`^${tenantId}: intact`, 'm'));
    const again = await contra(t, ['restore', '--tenant', tenantId, '--from', backupDir], target.environment());
    assert.equal(again.code, 1, describeRun(again));
    assert.match(again.stderr, /already holds tenant/);
  });

  it('verify-audit exits 1 and names the record after an audit row is edited in the database', async (t) => {
    const space = workspace(t);
    const demo = await contra(t, ['demo', '--payments', '3', '--concurrency', '1'], space.environment());
    assert.equal(demo.code, 0, describeRun(demo));
    const tenantId = tenantOf(demo.stdout);
    const before = await contra(t, ['verify-audit', '--tenant', tenantId], space.environment());
    assert.equal(before.code, 0, describeRun(before));

    const database = new Database(join(space.dataDir, 'contra.db'));
    let victimId: string;
    try {
      const victim = database.prepare("SELECT id FROM audit_records WHERE stream = 'txn:demo-2' AND sequence = 2").get() as { id: string } | undefined;
      assert.ok(victim !== undefined, 'the demo wrote no audit record #2 for txn:demo-2');
      victimId = victim.id;
      const triggers = database.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_records'").pluck().all() as string[];
      for (const trigger of triggers) database.exec(`DROP TRIGGER "${trigger}"`);
      assert.equal(database.prepare("UPDATE audit_records SET status = 'PAYMENT-SUCCESS' WHERE id = ?").run(victimId).changes, 1);
    } finally {
      database.close();
    }

    const after = await contra(t, ['verify-audit'], space.environment());
    assert.equal(after.code, 1, describeRun(after));
    const line = new RegExp(`^${tenantId}: broken, .*$`, 'm').exec(after.stdout)?.[0];
    assert.ok(line !== undefined, after.stdout);
    assert.ok(line.includes(`record ${victimId}`), line);
    assert.ok(line.includes('stream txn:demo-2, #2'), line);
    assert.ok(line.includes('hash_mismatch'), line);
  });

  it('prints a generated bootstrap token once, on the first start only, and that token creates tenants', async (t) => {
    const space = workspace(t);
    const environment = space.environment({ CONTRA_ADMIN_TOKEN: undefined });
    const first = await contra(t, ['migrate'], environment);
    assert.equal(first.code, 0, describeRun(first));
    const token = /\b(ctr-admin\.[A-Za-z0-9_-]{43})\b/.exec(first.stderr)?.[1];
    assert.ok(token !== undefined, `no bootstrap token on stderr: ${describeRun(first)}`);
    assert.match(first.stderr, /bootstrap admin token \(shown once/);
    assert.ok(!first.stdout.includes(token), 'the token goes to stderr only');
    for (const name of readdirSync(space.dataDir)) {
      assert.ok(!readFileSync(join(space.dataDir, name)).toString('latin1').includes(token), `the token is stored in clear in ${name}`);
    }

    const served = await serve(t, environment);
    const created = await fetch(`${served.baseUrl}/api/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bootstrapped' }),
    });
    assert.equal(created.status, 201, await created.text());
    const second = await terminate(served);
    assert.equal(second.code, 0, describeRun(second));
    assert.ok(!second.stderr.includes('ctr-admin.'), `the second start printed a token again: ${second.stderr}`);
    assert.doesNotMatch(second.stderr, /bootstrap admin token/);
  });

  it('serve answers /healthz and /readyz and exits 0 soon after SIGTERM', async (t) => {
    const space = workspace(t);
    const served = await serve(t, space.environment());
    const ready = await fetch(`${served.baseUrl}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal((await ready.json() as { status?: unknown }).status, 'ready');
    const started = Date.now();
    const finished = await terminate(served);
    assert.equal(finished.code, 0, describeRun(finished));
    assert.equal(finished.signal, null, 'serve ended on its own, not killed by the signal');
    assert.ok(Date.now() - started < shutdownTimeoutMs);
    assert.doesNotMatch(finished.stderr, /ctr-admin\./, 'no token is generated when CONTRA_ADMIN_TOKEN is set');
  });
});

// Its own suite, so that its time does not count against the suite above under load.
describe('contra detect', { timeout: testTimeoutMs }, () => {
  it('detect runs the failure sweep once and refuses an unknown tenant with exit 2', async (t) => {
    const space = workspace(t);
    const run = await contra(t, ['detect'], space.environment());
    assert.equal(run.code, 0, describeRun(run));
    assert.match(run.stdout, /^detection: 0 unconfirmed transfers queried .*, 0 orphaned debits$/m);
    const unknown = await contra(t, ['detect', '--tenant', 'ten_NOPE'], space.environment());
    assert.equal(unknown.code, 2, describeRun(unknown));
  });
});

describe('contra reconcile', { timeout: testTimeoutMs }, () => {
  it('reconcile refuses a bad statement by line and column before anything runs, and a statement without its tenant', async (t) => {
    const space = workspace(t);
    const statement = join(space.dataDir, '..', 'statement.csv');
    const header = 'reference,amount,currency,status,value_date,bank_code,session_id';
    writeFileSync(statement, `${header}\nTRF-1,1500.00,NGN,successful,2026-11-27,058,S1\nTRF-2,15.001,NGN,failed,2026-11-27,058,S2\n`);
    const bad = await contra(t, ['reconcile', '--date', '2026-11-27', '--statement', statement], space.environment());
    assert.equal(bad.code, 1, describeRun(bad));
    assert.match(bad.stderr, /statement\.amount: line 3: /);
    assert.equal(existsSync(space.dataDir), false, 'nothing was opened or written');
    writeFileSync(statement, `${header}\nTRF-1,1500.00,NGN,successful,2026-11-27,058,S1\n`);
    const unknown = await contra(t, ['reconcile', '--date', '2026-11-27', '--statement', statement, '--tenant', 'ten_NOPE'], space.environment());
    assert.equal(unknown.code, 2, describeRun(unknown));
    const none = await contra(t, ['reconcile'], space.environment());
    assert.equal(none.code, 0, describeRun(none));
    assert.match(none.stdout, /^reconciliation: no tenants$/m);
  });
});

describe('contra report', { timeout: testTimeoutMs }, () => {
  it('report prints the month\'s CBN reversal report per tenant as JSON lines or CSV, and refuses a bad month or tenant', async (t) => {
    const space = workspace(t);
    const demo = await contra(t, ['demo', '--payments', '2', '--concurrency', '1'], space.environment());
    assert.equal(demo.code, 0, describeRun(demo));
    const tenantId = tenantOf(demo.stdout);
    const month = new Date(Date.now() + 3_600_000).toISOString().slice(0, 7); // Lagos is UTC+1
    const json = await contra(t, ['report', '--period', month], space.environment());
    assert.equal(json.code, 0, describeRun(json));
    const reports = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(reports.map((item) => [item['tenant_id'], item['report_id'], item['status']]), [[tenantId, `CBN-${month}`, 'draft']], 'one report per bank tenant, none for the platform');
    const csv = await contra(t, ['report', '--period', month, '--tenant', tenantId, '--csv'], space.environment());
    assert.equal(csv.code, 0, describeRun(csv));
    const [header, row, ...rest] = csv.stdout.split('\r\n');
    assert.match(header ?? '', /^tenant_id,report_id,period,status,total_failures,/);
    assert.ok((row ?? '').startsWith(`${tenantId},CBN-${month},${month},draft,0,`), row);
    assert.deepEqual(rest, ['']);
    assert.equal((await contra(t, ['report', '--period', '2026-13'], space.environment())).code, 1);
    assert.equal((await contra(t, ['report', '--period', month, '--tenant', 'ten_NOPE'], space.environment())).code, 2);
  });
});

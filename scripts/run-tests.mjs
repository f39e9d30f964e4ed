// Runs every *.test.ts under src/ and test/ with Node's own test runner (tsx loads the
// TypeScript). Node 20 has no glob support in `node --test`, so the files are listed here.
// Then, when a PostgreSQL test database is reachable, the API and Lambda suites run a
// second time on the PostgreSQL store (CONTRA_TEST_STORE=postgres), and a third time on
// DynamoDB Local (CONTRA_TEST_STORE=dynamodb) when it runs. Under CI PostgreSQL
// is required; elsewhere its absence is reported and those runs are skipped.
// When DynamoDB tests are selected, one DynamoDB Local is started for the whole run
// (scripts/dynamodb-local-setup.sh, 127.0.0.1 only) and stopped at the end; its address
// goes to the tests as CONTRA_TEST_DYNAMODB_ENDPOINT. Without Java outside CI they skip.
// The dashboard's browser tests (test/dashboard/) run once, on SQLite, in the Debian
// package's Chromium (/usr/bin/chromium): required under CI, skipped with a notice elsewhere.
// Last, the AWS stack's own package (deploy/aws) synthesizes offline and checks its
// template; it needs `npm ci` in deploy/aws, required under CI and reported as skipped elsewhere.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';

function findTests(directory) {
  const found = [];
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

function runTests(files, environment = {}) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
    {
      stdio: 'inherit',
      // The AWS SDK's notice that its 2027 releases need Node 22 would repeat in every test file; decisions.md records it once.
      env: { ...process.env, CONTRA_LOG_LEVEL: process.env.CONTRA_LOG_LEVEL ?? 'silent', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...environment },
    },
  );
  return result.status ?? 1;
}

const databaseUrl = process.env.CONTRA_TEST_DATABASE_URL || 'postgres://contra_test@127.0.0.1:5432/contra_test';

async function postgresReachable() {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Starts DynamoDB Local for this run; returns its pid and endpoint, or null (with the reason printed). */
async function startDynamoDbLocal() {
  const port = await freePort();
  const started = spawnSync('bash', ['scripts/dynamodb-local-setup.sh', '--start', String(port)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = Number.parseInt(started.stdout.trim().split('\n').pop() ?? '', 10);
  if (started.status === 0 && Number.isSafeInteger(pid)) return { pid, endpoint: `http://127.0.0.1:${port}` };
  const reason = started.status === 3 ? 'Java (a JDK 17 or later) is not installed' : `scripts/dynamodb-local-setup.sh failed (exit ${started.status})`;
  if (process.env.CI) {
    console.error(`\nDynamoDB Local is required under CI: ${reason}`);
    process.exit(1);
  }
  console.log(`\n# DynamoDB tests skipped: ${reason}.\n`);
  return null;
}

const deployDirectory = join('deploy', 'aws');

/** The CDK package's tests (`npm test` in deploy/aws): type-check, synthesize, assert. */
function runDeployTests() {
  if (!existsSync(join(deployDirectory, 'node_modules', 'aws-cdk-lib'))) {
    const message = `${deployDirectory}/node_modules is missing: run \`npm ci\` in ${deployDirectory} to test the AWS stack`;
    if (process.env.CI) {
      console.error(`\n${message} (required under CI)`);
      return 1;
    }
    console.log(`\n# AWS stack tests skipped: ${message}\n`);
    return 0;
  }
  console.log(`\n# the AWS stack (${deployDirectory}), synthesized offline\n`);
  const result = spawnSync('npm', ['test'], { cwd: deployDirectory, stdio: 'inherit', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  return result.status ?? 1;
}

const chromiumPath = '/usr/bin/chromium';
const browserSuitesDirectory = join('test', 'dashboard');

/** The selected files, less the browser suites when Chromium is missing (an error under CI). */
function withoutBrowserSuitesIfNoChromium(selected) {
  if (!selected.some((file) => file.startsWith(browserSuitesDirectory)) || existsSync(chromiumPath)) return { files: selected, status: 0 };
  const message = `${chromiumPath} is missing: install it (apt-get install chromium) to run the dashboard's browser tests in ${browserSuitesDirectory}`;
  if (process.env.CI) {
    console.error(`\n${message} (required under CI)\n`);
    return { files: selected, status: 1 };
  }
  console.log(`\n# Dashboard browser tests skipped: ${message}.\n`);
  return { files: selected.filter((file) => !file.startsWith(browserSuitesDirectory)), status: 0 };
}

const filter = process.argv.slice(2);
const all = ['src', 'test'].flatMap((root) => findTests(root)).sort();
const selected = all.filter((file) => filter.length === 0 || filter.some((part) => file.includes(part)));
const browserCheck = withoutBrowserSuitesIfNoChromium(selected);
const files = browserCheck.files;
const deploySelected = filter.length === 0 || filter.some((part) => deployDirectory.includes(part) || part.includes(deployDirectory));
if (selected.length === 0 && !deploySelected) {
  console.error('no test files found');
  process.exit(1);
}
const apiSuites = files.filter((file) => file.startsWith(join('test', 'api')) || file.startsWith(join('test', 'lambda')));
const dynamoDbNeeded = files.some((file) => file.includes('dynamodb')) || (apiSuites.length > 0 && process.env.CONTRA_TEST_STORE === undefined);
const emulator = dynamoDbNeeded && !process.env.CONTRA_TEST_DYNAMODB_ENDPOINT ? await startDynamoDbLocal() : null;
if (emulator !== null) process.env.CONTRA_TEST_DYNAMODB_ENDPOINT = emulator.endpoint;
process.on('exit', () => {
  if (emulator !== null) {
    try {
      process.kill(emulator.pid);
    } catch {
      // Already gone.
    }
  }
});
let status = (files.length === 0 ? 0 : runTests(files)) || browserCheck.status;
if (apiSuites.length > 0 && process.env.CONTRA_TEST_STORE === undefined) {
  const unreachable = await postgresReachable();
  if (unreachable === null) {
    console.log(`\n# the API and Lambda suites again, on PostgreSQL (${databaseUrl})\n`);
    status = runTests(apiSuites, { CONTRA_TEST_STORE: 'postgres' }) || status;
  } else if (process.env.CI) {
    console.error(`\nPostgreSQL is required under CI and ${databaseUrl} is unreachable: ${unreachable}`);
    status = 1;
  } else {
    console.log(`\n# PostgreSQL tests skipped: ${databaseUrl} is unreachable (${unreachable}). Run scripts/postgres-test-setup.sh to set it up.\n`);
  }
}
if (apiSuites.length > 0 && process.env.CONTRA_TEST_STORE === undefined && process.env.CONTRA_TEST_DYNAMODB_ENDPOINT) {
  console.log(`\n# the API and Lambda suites again, on DynamoDB Local (${process.env.CONTRA_TEST_DYNAMODB_ENDPOINT})\n`);
  // DynamoDB Local accepts any key of letters and digits; the store reads them from the SDK's default chain.
  status = runTests(apiSuites, { CONTRA_TEST_STORE: 'dynamodb', AWS_ACCESS_KEY_ID: 'contratest', AWS_SECRET_ACCESS_KEY: 'contratest' }) || status;
}
if (deploySelected) status = runDeployTests() || status;
process.exit(status);

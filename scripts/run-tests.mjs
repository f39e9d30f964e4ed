// Runs every *.test.ts under src/ and test/ with Node's own test runner (tsx loads the
// TypeScript). Node 20 has no glob support in `node --test`, so the files are listed here.
// Then, when a PostgreSQL test database is reachable, the API and Lambda suites run a
// second time on the PostgreSQL store (CONTRA_TEST_STORE=postgres). Under CI PostgreSQL
// is required; elsewhere its absence is reported and those runs are skipped. Last, the
// AWS stack's own package (deploy/aws) synthesizes offline and checks its template; it
// needs `npm ci` in deploy/aws, required under CI and reported as skipped elsewhere.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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
      // The AWS SDK warns once per process that its 2027 releases need Node 22 (noted in
      // docs/internals/decisions.md); in test output that is noise.
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

const filter = process.argv.slice(2);
const all = ['src', 'test'].flatMap((root) => findTests(root)).sort();
const files = all.filter((file) => filter.length === 0 || filter.some((part) => file.includes(part)));
const deploySelected = filter.length === 0 || filter.some((part) => deployDirectory.includes(part) || part.includes(deployDirectory));
if (files.length === 0 && !deploySelected) {
  console.error('no test files found');
  process.exit(1);
}
let status = files.length === 0 ? 0 : runTests(files);
const apiSuites = files.filter((file) => file.startsWith(join('test', 'api')) || file.startsWith(join('test', 'lambda')));
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
if (deploySelected) status = runDeployTests() || status;
process.exit(status);

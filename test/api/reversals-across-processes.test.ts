// A manual reversal approved twice at the same moment through two Contra processes on one
// store (V5: executed exactly once). In one process the use case's keyed lock already
// serializes the two approvals; across processes only the store's version checks stand
// between them, so this runs a second, real `contra serve` on the same store and key,
// sends one approval to each, and checks that the money came back exactly once — on
// SQLite (two processes on one file), PostgreSQL and DynamoDB Local alike.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Response, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { balances, fundedCustomer, readTransfer, toBank } from '../support/transfers.ts';
import type { TenantId } from '../../src/domain/ids.ts';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
/** A child process with tsx can take long to answer on a loaded 2-core machine. */
const startTimeoutMs = 60_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => {
    resolve();
  }));
  return address.port;
}

/** `contra serve` in a process of its own, on the same store and keys as `service`. */
async function secondProcess(service: TestService): Promise<{ child: ChildProcess; peer: TestService; output: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/contra.mjs', 'serve'], {
    cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...service.environment, CONTRA_LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port) },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (const startedAt = Date.now(); Date.now() - startedAt < startTimeoutMs;) {
    if (child.exitCode !== null) assert.fail(`the second process exited: ${output}`);
    const healthy = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1_000) }).then((answer) => answer.status === 200, () => false);
    if (healthy) return { child, peer: { ...service, baseUrl }, output: () => output };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  return assert.fail(`the second process did not answer within ${startTimeoutMs} ms: ${output}`);
}

describe('a reversal approved through two processes at once', () => {
  let service: TestService;
  let second: Awaited<ReturnType<typeof secondProcess>>;
  let tenant: Tenant;
  before(async () => {
    service = await startService();
    tenant = await createTenant(service, 'Two-process bank', { reversal_manual_channels: ['branch'], reversal_manager_threshold: '1000000.00' });
    await fundedCustomer(service, tenant, 'alice', '100000.00');
    second = await secondProcess(service);
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => {
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
    await service.close();
  });

  it('moves the money back exactly once, whichever process wins, round after round', async () => {
    const rounds = 6;
    for (let round = 0; round < rounds; round++) {
      const reference = `xp-${round}`;
      // 91: the beneficiary bank is not available, a definite failure; the branch channel needs a person.
      assert.equal((await toBank(service, tenant, reference, 'alice', '0123456791', '100.00', { channel: 'branch' })).status, 502);
      const reversalId = String((await readTransfer(service, tenant, reference))['reversal_id']);
      const before = await balances(service, tenant, 'alice');
      const approve = (where: TestService): Promise<Response> =>
        call(where, 'POST', `/api/v1/transactions/reversals/${reversalId}/approve`, undefined, { token: tenant.keys['approver']! });
      const answers = await Promise.all([approve(service), approve(second.peer)]);
      const statuses = answers.map((answer) => answer.status).sort();
      assert.equal(statuses.filter((status) => status === 200).length, 1, `one approval executes: ${answers.map((answer) => answer.text).join('\n')}\n${second.output()}`);
      assert.ok(statuses.every((status) => status === 200 || status === 409 || status === 422), `${answers.map((answer) => answer.text).join('\n')}\n${second.output()}`);
      const after = await balances(service, tenant, 'alice');
      assert.equal(Number(after.available) - Number(before.available), 100, 'the held 100.00 is released once');
      assert.equal((await readTransfer(service, tenant, reference))['transfer_status'], 'TRANSFER-REVERSED');
      const journal = await service.runtime.deps.store.listTransactionTransfers(tenant.tenantId as TenantId, reference);
      assert.equal(journal.filter((transfer) => transfer.kind === 'void_pending').length, 1, 'one void of the hold');
    }
  });

  it('lets an approval in one process and a rejection in the other end in one decision, with the money where it says', async () => {
    for (let round = 0; round < 6; round++) {
      const reference = `xr-${round}`;
      assert.equal((await toBank(service, tenant, reference, 'alice', '0123456791', '100.00', { channel: 'branch' })).status, 502);
      const reversalId = String((await readTransfer(service, tenant, reference))['reversal_id']);
      const before = await balances(service, tenant, 'alice');
      const path = `/api/v1/transactions/reversals/${reversalId}`;
      const token = tenant.keys['approver']!;
      // Alternate which process approves, so each side of the race is run by both.
      const [approver, rejecter] = round % 2 === 0 ? [service, second.peer] : [second.peer, service];
      const [approved, rejected] = await Promise.all([
        call(approver, 'POST', `${path}/approve`, undefined, { token }),
        call(rejecter, 'POST', `${path}/reject`, { reason: 'the branch confirmed the credit' }, { token }),
      ]);
      assert.equal([approved.status, rejected.status].filter((status) => status === 200).length, 1, `${approved.text}\n${rejected.text}\n${second.output()}`);
      assert.ok([approved.status, rejected.status].every((status) => status === 200 || status === 409), `${approved.text}\n${rejected.text}`);
      const decided = (await call(service, 'GET', path, undefined, { token: tenant.keys['operator']! })).body['status'];
      const transferStatus = (await readTransfer(service, tenant, reference))['transfer_status'];
      const voids = (await service.runtime.deps.store.listTransactionTransfers(tenant.tenantId as TenantId, reference)).filter((transfer) => transfer.kind === 'void_pending').length;
      const released = Number((await balances(service, tenant, 'alice')).available) - Number(before.available);
      if (approved.status === 200) assert.deepEqual([decided, transferStatus, voids, released], ['COMPLETED', 'TRANSFER-REVERSED', 1, 100]);
      else assert.deepEqual([decided, transferStatus, voids, released], ['REJECTED', 'TRANSFER-FAILED', 0, 0]);
    }
  });
});

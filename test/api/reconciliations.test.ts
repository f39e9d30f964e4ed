// Reconciliation through the real HTTP server (V6): real-time runs since the checkpoint,
// the batch of one Lagos day against a settlement statement with every mismatch kind, what
// each mismatch leads to (status query first, a late success credited, a contradicted
// success escalated, never a reversal on a mismatch alone), every refusal code, replays
// and two runs at once (one reversal, no double counting), and a crash before the log is
// committed (nothing half-written, the rerun succeeds). The ledger balances after every test.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Response, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { ControlledSwitch } from '../support/controlled-switch.ts';
import { crashingOnce } from '../support/crashing-store.ts';
import { balances, fundedCustomer, readTransfer, toBank, transfer } from '../support/transfers.ts';
import { runReconciliation } from '../../src/app/reconciliation/run-reconciliation.ts';
import { checkpointWrite, reconciliationCheckpointKind, reconciliationLogKind } from '../../src/app/reconciliation/reconciliation-record.ts';
import { incidentKind } from '../../src/app/compliance/incident-record.ts';
import { failedTransactionKind } from '../../src/app/reversals/failed-transaction-record.ts';
import { reversalKind } from '../../src/app/reversals/reversal-record.ts';
import { statementHeader } from '../../src/domain/reconciliation/settlement-statement.ts';
import { lagosDateOf } from '../../src/domain/timelines/lagos-dates.ts';
import type { TenantId } from '../../src/domain/ids.ts';

const codeOf = (answer: Response): string => (answer.body['error'] as { code: string } | undefined)?.code ?? `(${answer.status})`;
const today = (): string => lagosDateOf(Date.now());

/** A statement of today: rows of [reference, amount, status]. */
function statementOf(rows: [string, string, string][]): string {
  return [statementHeader, ...rows.map(([reference, amount, status]) => `${reference},${amount},NGN,${status},${today()},999,S${reference.replace(/[^A-Za-z0-9]/g, '')}`)].join('\n') + '\n';
}

type Log = Record<string, unknown> & { mismatch_counts: Record<string, number>; mismatches: { kind: string; reference: string; action: string; outcome: string | null }[] };

describe('reconciliations', () => {
  let service: TestService;
  const rail = new ControlledSwitch();
  before(async () => {
    service = await startService({ interbank: rail, environment: { CONTRA_RECONCILE_LAG_MS: '0', CONTRA_REQUERY_ATTEMPTS_MAX: '5' } });
  });
  afterEach(async () => {
    await assertLedgerBalances(service.runtime.deps.store);
  });
  after(async () => service.close());

  async function bank(name: string): Promise<Tenant> {
    const tenant = await createTenant(service, name);
    await fundedCustomer(service, tenant, 'alice', '1000000.00');
    return tenant;
  }
  const run = (tenant: Tenant, body: Record<string, unknown>, role = 'operator'): Promise<Response> =>
    call(service, 'POST', '/api/v1/reconciliations', body, { token: tenant.keys[role]! });
  const read = (tenant: Tenant, path: string, role = 'auditor'): Promise<Response> =>
    call(service, 'GET', `/api/v1/reconciliations${path}`, undefined, { token: tenant.keys[role]! });
  const logOf = (answer: Response): Log => answer.body['reconciliation'] as Log;
  const count = async (tenant: Tenant, kind: string): Promise<number> =>
    (await service.runtime.deps.store.listRecords(tenant.tenantId as TenantId, kind, { limit: 200 })).items.length;

  it('reconciles in real time from the checkpoint: each transfer is checked once (V6)', async () => {
    const tenant = await bank('Real-time bank');
    await toBank(service, tenant, 'rt-1', 'alice', '0123456700', '100.00');
    const internal = await transfer(service, tenant, { reference: 'rt-2', sender_account_id: 'alice', receiver: { account_id: 'alice-funding' }, amount: '5.00' });
    assert.equal(internal.status, 201, internal.text);
    const first = await run(tenant, { type: 'real_time' }, 'service');
    assert.equal(first.status, 201, first.text);
    const log = logOf(first);
    // The funding transfer, rt-1 and rt-2: all balanced, no mismatch.
    assert.deepEqual([log['type'], log['transactions_checked'], log['mismatches_found'], log['reversals_initiated'], log['status']], ['real_time', 3, 0, 0, 'completed']);
    assert.deepEqual((log['sums'] as Record<string, unknown>)['NGN'], { debited_minor: '100010500', credited_minor: '100010500', returned_minor: '0', held_minor: '0' });
    const second = await run(tenant, { type: 'real_time' });
    assert.equal(logOf(second)['transactions_checked'], 0);
    await toBank(service, tenant, 'rt-3', 'alice', '0123456700', '7.00');
    assert.equal(logOf(await run(tenant, { type: 'real_time' }))['transactions_checked'], 1);
    const listed = await read(tenant, '?type=real_time');
    assert.equal(listed.status, 200, listed.text);
    assert.equal((listed.body['data'] as unknown[]).length, 3);
    const one = await read(tenant, `/${String(log['id'])}`, 'approver');
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body['transactions_checked'], 3);
    assert.deepEqual((await read(tenant, '?type=batch_eod')).body['data'], []);
  });

  it('reports a transfer whose record and journal lines disagree on the amount, and its currency\'s sums (V6)', async () => {
    const tenant = await bank('Disagreeing bank');
    await toBank(service, tenant, 'agree-1', 'alice', '0123456700', '100.00');
    await toBank(service, tenant, 'disagree-1', 'alice', '0123456700', '100.00');
    // The transfer record altered after the fact (a bad migration, a hand edit): it now says 90.00, its journal lines 100.00.
    const store = service.runtime.deps.store;
    const stored = await store.getRecord(tenant.tenantId as TenantId, 'transfer', 'disagree-1');
    assert.ok(stored !== null);
    const edited = await store.commit({
      tenantId: stored.tenantId, at: Date.now(),
      records: [{ kind: stored.kind, id: stored.id, body: { ...stored.body, amount_minor: '9000' }, expectedVersion: stored.version, ...(stored.indexKey === null ? {} : { indexKey: stored.indexKey }) }],
    });
    assert.ok(edited.ok);
    const log = logOf(await run(tenant, { type: 'real_time' }));
    assert.deepEqual([log.mismatch_counts['legs_disagree'], log.mismatch_counts['sums_differ']], [1, 1], JSON.stringify(log.mismatches));
    assert.deepEqual(log.mismatches.filter((mismatch) => mismatch.kind === 'legs_disagree').map((mismatch) => mismatch.reference), ['disagree-1']);
    const sums = (log['sums'] as Record<string, Record<string, string>>)['NGN'];
    assert.equal(BigInt(sums?.['debited_minor'] ?? '0') + 1000n, BigInt(sums?.['credited_minor'] ?? '0'), JSON.stringify(sums));
  });

  it('matches the day against a settlement statement and acts on each mismatch kind through the status query (V6 → V2, V3)', async () => {
    const tenant = await bank('Statement bank');
    await toBank(service, tenant, 'ok-1', 'alice', '0123456700', '100.00');
    await toBank(service, tenant, 'amount-1', 'alice', '0123456700', '100.00');
    await toBank(service, tenant, 'ours-only', 'alice', '0123456700', '100.00');
    await toBank(service, tenant, 'contradicted', 'alice', '0123456700', '100.00');
    // Timeouts (97): still waiting. The status query will say failed (third-last digit odd) or succeeded (even).
    await toBank(service, tenant, 'waiting-fails', 'alice', '0123456197', '250.00');
    await toBank(service, tenant, 'waiting-succeeds', 'alice', '0123456097', '40.00');
    assert.equal((await readTransfer(service, tenant, 'waiting-fails'))['transfer_status'], 'TRANSFER-PENDING');
    const before = await balances(service, tenant, 'alice');
    const statement = statementOf([
      ['ok-1', '100.00', 'successful'], ['amount-1', '100.50', 'successful'], ['theirs-only', '9.99', 'successful'], ['contradicted', '100.00', 'failed'],
      ['waiting-fails', '250.00', 'failed'], ['waiting-succeeds', '40.00', 'successful'], ['ok-1', '100.00', 'successful'],
    ]);
    const answer = await run(tenant, { type: 'batch_eod', date: today(), statement });
    assert.equal(answer.status, 201, answer.text);
    const log = logOf(answer);
    assert.deepEqual(log.mismatch_counts, {
      missing_ours: 1, missing_theirs: 1, amount_differs: 1, status_differs: 3, duplicate_theirs: 1, orphaned_debit: 0, legs_disagree: 0, sums_differ: 0,
    });
    assert.deepEqual([log['statement_rows'], log['matched'], log['reversals_initiated'], log['date']], [7, 1, 1, today()]);
    const byReference = new Map(log.mismatches.map((mismatch) => [`${mismatch.kind}:${mismatch.reference}`, mismatch]));
    assert.deepEqual(byReference.get('status_differs:waiting-fails')?.action, 'status_queried');
    assert.equal(byReference.get('status_differs:waiting-fails')?.outcome, 'TRANSFER-REVERSED');
    assert.equal(byReference.get('status_differs:waiting-succeeds')?.outcome, 'TRANSFER-SUCCESS');
    assert.equal(byReference.get('status_differs:contradicted')?.action, 'escalated');
    for (const key of ['missing_ours:theirs-only', 'missing_theirs:ours-only', 'amount_differs:amount-1', 'duplicate_theirs:ok-1']) assert.equal(byReference.get(key)?.action, 'reported', key);
    // The failure was reversed through the rules, the late success credited; the contradicted success is a case for a person, not a reversal.
    assert.equal((await readTransfer(service, tenant, 'waiting-fails'))['transfer_status'], 'TRANSFER-REVERSED');
    assert.equal((await readTransfer(service, tenant, 'waiting-succeeds'))['transfer_status'], 'TRANSFER-SUCCESS');
    const contradicted = await readTransfer(service, tenant, 'contradicted');
    assert.deepEqual([contradicted['transfer_status'], contradicted['reversal_id']], ['TRANSFER-SUCCESS', null]);
    const failed = await service.runtime.deps.store.getRecord(tenant.tenantId as TenantId, failedTransactionKind, String(contradicted['failed_transaction_id']));
    assert.deepEqual([failed?.body['detection_method'], failed?.body['status']], ['reconciliation', 'escalated']);
    // Escalated to a person, so it is significant: its incident report opened in the same commit (D3).
    const incidents = await service.runtime.deps.store.listRecords(tenant.tenantId as TenantId, incidentKind, { limit: 50 });
    const reported = incidents.items.filter((incident) => JSON.stringify(incident.body['transactions']).includes('"contradicted"'));
    assert.deepEqual(reported.map((incident) => incident.body['trigger']), ['requery_escalation']);
    // alice: 250.00 came back; the late success and the rest stay debited.
    assert.equal(Number(before.available) + 250, Number((await balances(service, tenant, 'alice')).available));
    const notices = await service.runtime.deps.store.listRecords(tenant.tenantId as TenantId, 'notification', { limit: 200 });
    assert.ok(notices.items.some((notice) => notice.body['template'] === 'reconciliation.mismatches'));
    const audit = await call(service, 'GET', '/api/v1/audit?action=reconciliation.completed', undefined, { token: tenant.keys['auditor']! });
    assert.equal((audit.body['data'] as unknown[]).length, 1);

    // The same reconciliation again: nothing is opened or reversed twice.
    const again = await run(tenant, { type: 'batch_eod', date: today(), statement });
    assert.equal(again.status, 201, again.text);
    assert.deepEqual([logOf(again).mismatch_counts['status_differs'], logOf(again)['reversals_initiated']], [1, 0]);
    assert.equal(await count(tenant, reversalKind), 1);
    assert.equal(await count(tenant, failedTransactionKind), 3);
  });

  it('acts on a transfer for its most serious mismatch: an amount that also differs does not hide the status the statement contradicts (V6 → V2, V3)', async () => {
    const tenant = await bank('Two-mismatch bank');
    await toBank(service, tenant, 'paid-off', 'alice', '0123456700', '100.00');
    await toBank(service, tenant, 'waiting-off', 'alice', '0123456197', '20.00');
    assert.equal((await readTransfer(service, tenant, 'waiting-off'))['transfer_status'], 'TRANSFER-PENDING');
    // Both one kobo apart from ours, and both failed according to the switch.
    const statement = statementOf([['paid-off', '99.99', 'failed'], ['waiting-off', '19.99', 'failed']]);
    const answer = await run(tenant, { type: 'batch_eod', date: today(), statement });
    assert.equal(answer.status, 201, answer.text);
    const log = logOf(answer);
    assert.deepEqual([log.mismatch_counts['amount_differs'], log.mismatch_counts['status_differs'], log['escalated'], log['reversals_initiated']], [2, 2, 1, 1]);
    const byReference = new Map(log.mismatches.map((mismatch) => [`${mismatch.kind}:${mismatch.reference}`, mismatch]));
    // Every mismatch of a transfer shows the one action taken for it.
    for (const kind of ['amount_differs', 'status_differs']) {
      assert.deepEqual([byReference.get(`${kind}:paid-off`)?.action, byReference.get(`${kind}:paid-off`)?.outcome], ['escalated', 'TRANSFER-SUCCESS'], kind);
      assert.deepEqual([byReference.get(`${kind}:waiting-off`)?.action, byReference.get(`${kind}:waiting-off`)?.outcome], ['status_queried', 'TRANSFER-REVERSED'], kind);
    }
    // The contradicted success is a case for a person with its incident report, never a reversal.
    const paid = await readTransfer(service, tenant, 'paid-off');
    assert.deepEqual([paid['transfer_status'], paid['reversal_id']], ['TRANSFER-SUCCESS', null]);
    const failed = await service.runtime.deps.store.getRecord(tenant.tenantId as TenantId, failedTransactionKind, String(paid['failed_transaction_id']));
    assert.deepEqual([failed?.body['detection_method'], failed?.body['status']], ['reconciliation', 'escalated']);
    const incidents = await service.runtime.deps.store.listRecords(tenant.tenantId as TenantId, incidentKind, { limit: 50 });
    assert.equal(incidents.items.filter((incident) => JSON.stringify(incident.body['transactions']).includes('"paid-off"')).length, 1);
    // The waiting one was status-queried and reversed through the rules.
    assert.equal((await readTransfer(service, tenant, 'waiting-off'))['transfer_status'], 'TRANSFER-REVERSED');

    // Again: found done, nothing opened, escalated or reversed twice.
    const again = await run(tenant, { type: 'batch_eod', date: today(), statement });
    assert.equal(again.status, 201, again.text);
    assert.deepEqual([logOf(again)['escalated'], logOf(again)['reversals_initiated']], [1, 0]);
    assert.equal(await count(tenant, failedTransactionKind), 2);
    assert.equal(await count(tenant, reversalKind), 1);
    const after = await service.runtime.deps.store.listRecords(tenant.tenantId as TenantId, incidentKind, { limit: 50 });
    assert.equal(after.items.filter((incident) => JSON.stringify(incident.body['transactions']).includes('"paid-off"')).length, 1);
  });

  it('refuses a bad statement with its line and column, and writes nothing', async () => {
    const tenant = await bank('Refusal bank');
    const bad = `${statementHeader}\nok,1.00,NGN,successful,${today()},999,\nbad,12.345,NGN,successful,${today()},999,\n`;
    const refused = await run(tenant, { type: 'batch_eod', date: today(), statement: bad });
    assert.equal(refused.status, 400, refused.text);
    const error = refused.body['error'] as { code: string; field: string; detail: string };
    assert.deepEqual([error.code, error.field], ['invalid_statement', 'statement.amount']);
    assert.match(error.detail, /^line 3: /);
    for (const [body, code, field] of [
      [{ type: 'batch_eod', date: '2026-02-30' }, 'invalid_reconciliation_date', 'date'],
      [{ type: 'batch_eod', date: '2999-01-01' }, 'invalid_reconciliation_date', 'date'],
      [{ type: 'real_time', statement: statementOf([]) }, 'invalid_request', 'statement'],
      [{ type: 'real_time', date: today() }, 'invalid_request', 'date'],
      [{ type: 'weekly' }, 'invalid_request', undefined],
      [{ type: 'batch_eod', statement: 'reference,amount\n' }, 'invalid_statement', 'statement.header'],
    ] as const) {
      const answer = await run(tenant, body);
      assert.equal(answer.status, 400, answer.text);
      assert.equal(codeOf(answer), code);
      if (field !== undefined) assert.equal((answer.body['error'] as { field: string }).field, field);
    }
    assert.equal(codeOf(await run(tenant, { type: 'real_time' }, 'auditor')), 'forbidden');
    assert.equal(codeOf(await run(tenant, { type: 'real_time' }, 'approver')), 'forbidden');
    assert.equal(codeOf(await read(tenant, '/REC-none')), 'reconciliation_not_found');
    assert.equal(await count(tenant, reconciliationLogKind), 0);
    assert.equal(await count(tenant, reconciliationCheckpointKind), 0);
  });

  it('refuses a run while another of its type holds the lease, and takes a lapsed lease (V6)', async () => {
    const tenant = await bank('Lease bank');
    const store = service.runtime.deps.store;
    const tenantId = tenant.tenantId as TenantId;
    const held = { type: 'batch_eod', version: 0, throughAt: null, runningRunId: 'REC-other', leaseUntil: Date.now() + 60_000, lastRunId: null } as const;
    assert.ok((await store.commit({ tenantId, at: Date.now(), records: [checkpointWrite(held, 0)] })).ok);
    const refused = await run(tenant, { type: 'batch_eod' });
    assert.equal(refused.status, 409, refused.text);
    assert.equal(codeOf(refused), 'reconciliation_running');
    assert.equal((await run(tenant, { type: 'real_time' })).status, 201, 'the other type is not blocked');
    assert.ok((await store.commit({ tenantId, at: Date.now(), records: [checkpointWrite({ ...held, leaseUntil: Date.now() - 1 }, 1)] })).ok);
    assert.equal((await run(tenant, { type: 'batch_eod' })).status, 201);
  });

  it('runs twice at once: one reversal, and no transfer counted twice (V5, V6)', async () => {
    const tenant = await bank('Concurrent bank');
    await toBank(service, tenant, 'c-ok', 'alice', '0123456700', '10.00');
    await toBank(service, tenant, 'c-fails', 'alice', '0123456197', '20.00');
    const statement = statementOf([['c-ok', '10.00', 'successful'], ['c-fails', '20.00', 'failed']]);
    const batches = await Promise.all([1, 2].map(() => run(tenant, { type: 'batch_eod', date: today(), statement })));
    for (const answer of batches) assert.ok(answer.status === 201 || codeOf(answer) === 'reconciliation_running', answer.text);
    assert.ok(batches.some((answer) => answer.status === 201));
    assert.equal((await readTransfer(service, tenant, 'c-fails'))['transfer_status'], 'TRANSFER-REVERSED');
    assert.equal(await count(tenant, reversalKind), 1);
    const realTime = await Promise.all([1, 2].map(() => run(tenant, { type: 'real_time' }, 'service')));
    const checked = realTime.filter((answer) => answer.status === 201).map((answer) => Number(logOf(answer)['transactions_checked']));
    for (const answer of realTime) assert.ok(answer.status === 201 || codeOf(answer) === 'reconciliation_running', answer.text);
    assert.equal(checked.reduce((sum, value) => sum + value, 0), 3, `checked ${checked.join(' + ')}`);
  });
});

describe('reconciliation faults', () => {
  let service: TestService;
  const rail = new ControlledSwitch();
  before(async () => {
    service = await startService({ interbank: rail, environment: { CONTRA_RECONCILE_LAG_MS: '0', CONTRA_ORPHAN_GRACE_MS: '0' } });
  });
  afterEach(async () => {
    await assertLedgerBalances(service.runtime.deps.store);
  });
  after(async () => service.close());

  it('finds an orphaned debit in real time and settles it by the status query (V2, V6)', async () => {
    const tenant = await createTenant(service, 'Orphan bank');
    await fundedCustomer(service, tenant, 'alice', '1000.00');
    await toBank(service, tenant, 'orphan-1', 'alice', '0123456197', '30.00');
    const answer = await call(service, 'POST', '/api/v1/reconciliations', { type: 'real_time' }, { token: tenant.keys['service']! });
    assert.equal(answer.status, 201, answer.text);
    const log = answer.body['reconciliation'] as Log;
    assert.deepEqual([log.mismatch_counts['orphaned_debit'], log['reversals_initiated']], [1, 1]);
    assert.deepEqual([log.mismatches[0]?.action, log.mismatches[0]?.outcome], ['status_queried', 'TRANSFER-REVERSED']);
    assert.equal((await readTransfer(service, tenant, 'orphan-1'))['transfer_status'], 'TRANSFER-REVERSED');
  });

  it('records a run that dies before its log as failed, moves no checkpoint, and the rerun succeeds once', async () => {
    const tenant = await createTenant(service, 'Crash bank');
    await fundedCustomer(service, tenant, 'alice', '1000.00');
    await toBank(service, tenant, 'crash-1', 'alice', '0123456197', '30.00');
    const tenantId = tenant.tenantId as TenantId;
    const deps = service.runtime.deps;
    const crashing = crashingOnce(deps.store, (changeset) => changeset.records?.some((record) => record.kind === reconciliationLogKind) ?? false, 'simulated crash before the log');
    await assert.rejects(runReconciliation({ ...deps, store: crashing }, tenantId, { type: 'real_time' }), /simulated crash/);
    // The failed run is on record — log, audit, notice — and its lease is given back in the same commit.
    const logs = (await deps.store.listRecords(tenantId, reconciliationLogKind, { limit: 10 })).items;
    assert.deepEqual(logs.map((log) => [log.body['status'], log.body['type'], log.body['transactions_checked']]), [['failed', 'real_time', undefined]]);
    assert.match(logs[0]?.body['failure'] as string, /simulated crash before the log/);
    const listed = await call(service, 'GET', '/api/v1/reconciliations', undefined, { token: tenant.keys['auditor']! });
    assert.equal(listed.status, 200, listed.text);
    const shown = (listed.body['data'] as Log[])[0];
    assert.deepEqual([shown?.['status'], typeof shown?.['run_failed_at']], ['failed', 'string']);
    const audit = await deps.store.listAudit(tenantId, { action: 'reconciliation.failed' }, { limit: 10 });
    assert.equal(audit.items.length, 1);
    const notices = await deps.store.listRecords(tenantId, 'notification', { limit: 50 });
    assert.ok(notices.items.some((notice) => notice.body['template'] === 'reconciliation.failed'));
    const checkpoint = await deps.store.getRecord(tenantId, reconciliationCheckpointKind, 'real_time');
    assert.deepEqual([checkpoint?.body['running_run_id'], checkpoint?.body['through_at']], [null, null], 'the lease is given back, the checkpoint has not moved');
    // The status query already reversed the debit before the crash; the rerun finds it done.
    assert.equal((await readTransfer(service, tenant, 'crash-1'))['transfer_status'], 'TRANSFER-REVERSED');
    const rerun = await runReconciliation(deps, tenantId, { type: 'real_time' });
    assert.ok(rerun.ok);
    const log = rerun.value.body['reconciliation'] as Log;
    assert.deepEqual([log['transactions_checked'], log['mismatches_found'], log['reversals_initiated']], [2, 0, 0]);
    assert.equal((await deps.store.listRecords(tenantId, reversalKind, { limit: 10 })).items.length, 1);
  });
});

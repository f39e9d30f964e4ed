// Incident reports through the real HTTP server (D3): a significant failure (high value,
// escalated after its status queries, a system-glitch burst, an overdue dispute) opens
// one incident in the same commit as the event, with its resolution target in Lagos
// working days (weekends and holiday overrides skipped); a tenant's threshold and trigger
// list keep other events out; replays and detection run twice at once open no more; the
// lifecycle open → submitted → resolved refuses illegal moves by name and is audited; the
// escalation job flags an incident past its target once; the list pages and exports CSV.
// The ledger balances after every test.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Response, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { ControlledSwitch } from '../support/controlled-switch.ts';
import { fundedCustomer, readTransfer, toBank } from '../support/transfers.ts';
import { detectFailures } from '../../src/app/reversals/detect-failures.ts';
import { escalateOverdueDisputes } from '../../src/app/disputes/escalate-disputes.ts';
import { incidentCsvColumns } from '../../src/interfaces/http/routes/incidents.ts';
import type { TenantId } from '../../src/domain/ids.ts';

type Incident = Record<string, unknown> & { incident_reference: string; transaction_references: string[] };
const codeOf = (answer: Response): string => (answer.body['error'] as { code: string } | undefined)?.code ?? `(${answer.status})`;
const fieldOf = (answer: Response): string | undefined => (answer.body['error'] as { field?: string } | undefined)?.field;
const path = '/api/v1/transactions/reversals/compliance/incidents';

describe('incident reports', () => {
  const rail = new ControlledSwitch();
  const clock = { offsetMs: 0, now(): number { return Date.now() + this.offsetMs; } };
  const at = (iso: string): void => { clock.offsetMs = Date.parse(iso) - Date.now(); };
  let service: TestService;
  let tenant: Tenant;
  /** The other tenants' incidents count too: the escalation job flags every tenant's. */
  const others: Tenant[] = [];
  const list = (query = '', who: Tenant = tenant, headers: Record<string, string> = {}): Promise<Response> =>
    call(service, 'GET', `${path}${query}`, undefined, { token: who.keys['auditor']!, headers });
  const all = async (who: Tenant = tenant): Promise<Incident[]> => (await list('?limit=200', who)).body['data'] as Incident[];
  const about = async (reference: string, who: Tenant = tenant): Promise<Incident[]> => (await all(who)).filter((item) => item.transaction_references.includes(reference));
  const submit = (id: string, body: Record<string, unknown>, role = 'auditor'): Promise<Response> =>
    call(service, 'POST', `${path}/${id}/submit`, body, { token: tenant.keys[role]! });
  const resolve = (id: string, body: Record<string, unknown>, role = 'operator'): Promise<Response> =>
    call(service, 'POST', `${path}/${id}/resolve`, body, { token: tenant.keys[role]! });
  const auditCount = async (action: string, id: string): Promise<number> => {
    const audit = await call(service, 'GET', `/api/v1/audit?action=${action}&limit=200`, undefined, { token: tenant.keys['auditor']! });
    assert.equal(audit.status, 200, audit.text);
    return (audit.body['data'] as unknown[]).filter((entry) => JSON.stringify(entry).includes(id)).length;
  };
  const only = async (reference: string, who: Tenant = tenant): Promise<Incident> => {
    const found = await about(reference, who);
    assert.equal(found.length, 1, JSON.stringify(found));
    return found[0]!;
  };

  before(async () => {
    service = await startService({
      clock, interbank: rail,
      environment: { CONTRA_REQUERY_ATTEMPTS_MAX: '2', CONTRA_ORPHAN_GRACE_MS: '0', CONTRA_GLITCH_BURST_THRESHOLD: '3' },
    });
    tenant = await createTenant(service, 'Incident bank');
    await fundedCustomer(service, tenant, 'ada', '10000000.00');
  });
  afterEach(async () => {
    rail.silentQueries = false;
    await assertLedgerBalances(service.runtime.deps.store);
  });
  after(async () => service.close());

  it('opens one incident for a high-value failure and none for a small one, due T+1 over the weekend, with an operations notice', async () => {
    at('2026-12-04T14:00:00Z'); // Friday 15:00 in Lagos
    assert.equal((await toBank(service, tenant, 'big-05', 'ada', '0123456705', '1500000.00')).status, 502);
    assert.equal((await toBank(service, tenant, 'small-05', 'ada', '0123456705', '500.00')).status, 502);
    assert.equal((await about('small-05')).length, 0);
    const big = await only('big-05');
    assert.match(big.incident_reference, /^INC-2026-\d{6}$/);
    assert.deepEqual(
      [big['type'], big['trigger'], big['status'], big['amount'], big['amount_minor'], big['currency'], big['rule'], big['overdue'], big['within_target']],
      ['FAILED_ELECTRONIC_PAYMENT', 'high_value', 'open', '1500000.00', '150000000', 'NGN', 'high_value', false, null],
    );
    assert.ok(String(big['failure_reason']).length > 0);
    assert.equal(String(big['detected_at']).slice(0, 16), '2026-12-04T14:00');
    // Friday → Monday: the close of Monday's business day in Lagos.
    assert.equal(big['resolution_target'], '2026-12-07T22:59:59.999Z');
    const notices = await call(service, 'GET', '/api/v1/notifications?status=due&limit=200', undefined, { token: tenant.keys['operator']! });
    const opened = (notices.body['data'] as Record<string, unknown>[]).filter((notice) => notice['template'] === 'incident.opened' && JSON.stringify(notice).includes(big.incident_reference));
    assert.equal(opened.length, 1, notices.text);
    assert.equal(await auditCount('incident.opened', big.incident_reference), 1);
    // A replay of the transfer opens nothing more.
    const replay = await toBank(service, tenant, 'big-05', 'ada', '0123456705', '1500000.00');
    assert.equal(replay.headers.get('idempotency-replayed'), 'true');
    assert.equal((await about('big-05')).length, 1);
  });

  it('moves the target past a holiday override; a tenant threshold and trigger list keep other events out', async () => {
    assert.equal((await call(service, 'PUT', '/api/v1/calendar/holidays/2026-12-07', { action: 'add', name: 'Declared holiday' }, { token: tenant.adminKey })).status, 200);
    at('2026-12-04T14:00:00Z');
    assert.equal((await toBank(service, tenant, 'big-holiday', 'ada', '0123456705', '1000000.00')).status, 502);
    // Exactly the threshold is significant; the seed's T+1 is only above ₦1,000,000: T+2, Monday skipped.
    const holiday = await only('big-holiday');
    assert.deepEqual([holiday['trigger'], holiday['rule'], holiday['resolution_target']], ['high_value', 'fallback', '2026-12-09T22:59:59.999Z']);
    assert.equal((await call(service, 'DELETE', '/api/v1/calendar/holidays/2026-12-07', undefined, { token: tenant.adminKey })).status, 200);
    const quiet = await createTenant(service, 'Quiet bank', { incident_amount_threshold: '5000000', incident_triggers: ['high_value'] });
    others.push(quiet);
    await fundedCustomer(service, quiet, 'bola', '20000000.00');
    assert.equal((await toBank(service, quiet, 'quiet-big', 'bola', '0123456705', '4999999.99')).status, 502);
    assert.equal((await toBank(service, quiet, 'quiet-huge', 'bola', '0123456705', '5000000.00')).status, 502);
    assert.deepEqual((await all(quiet)).map((item) => item.transaction_references), [['quiet-huge']]);
    for (const reference of ['quiet-g1', 'quiet-g2', 'quiet-g3']) {
      assert.equal((await toBank(service, quiet, reference, 'bola', '0123456791', '10.00')).status, 502);
    }
    const sweep = await detectFailures(service.runtime.deps, { tenantId: quiet.tenantId as TenantId });
    assert.equal(sweep.glitchBursts.length, 1, 'the burst is still alerted');
    assert.equal((await all(quiet)).length, 1, 'but bursts are not among the tenant\'s incident triggers');
  });

  it('opens one incident per transfer escalated after its status queries, however often detection runs at once', async () => {
    at('2026-12-04T15:00:00Z');
    rail.silentQueries = true;
    assert.equal((await toBank(service, tenant, 'esc-97', 'ada', '0123456197', '300.00')).status, 202);
    assert.equal((await toBank(service, tenant, 'esc-big-97', 'ada', '0123456197', '2000000.00')).status, 202);
    assert.equal((await about('esc-97')).length, 0, 'an unknown outcome alone is not significant');
    // High value: significant as soon as it is detected.
    assert.equal((await only('esc-big-97'))['trigger'], 'high_value');
    const deps = service.runtime.deps;
    for (let round = 0; round < 4; round++) {
      await Promise.all([detectFailures(deps, { tenantId: tenant.tenantId as TenantId }), detectFailures(deps, { tenantId: tenant.tenantId as TenantId })]);
    }
    assert.equal((await readTransfer(service, tenant, 'esc-97'))['transfer_status'], 'TRANSFER-ESCALATED');
    assert.equal((await readTransfer(service, tenant, 'esc-big-97'))['transfer_status'], 'TRANSFER-ESCALATED');
    const escalated = await only('esc-97');
    assert.deepEqual([escalated['trigger'], escalated['amount'], escalated['rule']], ['requery_escalation', '300.00', 'fallback']);
    // One incident per failure: the escalation of the high-value transfer adds none.
    assert.equal((await only('esc-big-97'))['trigger'], 'high_value');
  });

  it('opens one incident per system-glitch burst, listing its transfers, when detection runs twice at once', async () => {
    const burst = await createTenant(service, 'Burst bank');
    others.push(burst);
    await fundedCustomer(service, burst, 'chi', '1000.00');
    at('2026-12-04T15:30:00Z');
    for (const reference of ['g-1', 'g-2', 'g-3']) {
      assert.equal((await toBank(service, burst, reference, 'chi', '0123456791', '100.00')).status, 502);
    }
    const deps = service.runtime.deps;
    const tenantId = burst.tenantId as TenantId;
    await Promise.all([detectFailures(deps, { tenantId }), detectFailures(deps, { tenantId })]);
    await detectFailures(deps, { tenantId });
    const incidents = await all(burst);
    assert.equal(incidents.length, 1, JSON.stringify(incidents));
    const [incident] = incidents;
    assert.deepEqual(
      [incident!['type'], incident!['trigger'], [...incident!.transaction_references].sort(), incident!['amount'], incident!['currency']],
      ['SYSTEM_GLITCH_BURST', 'glitch_burst', ['g-1', 'g-2', 'g-3'], '300.00', 'NGN'],
    );
  });

  it('submits and resolves an incident, refusing illegal moves and roles by name, and audits each change', async () => {
    at('2026-12-05T10:00:00Z');
    const id = (await only('big-05')).incident_reference;
    assert.deepEqual([codeOf(await resolve(id, { resolution: 'credited back' })), fieldOf(await resolve(id, { resolution: 'x' }))], ['incident_not_submitted', 'id']);
    assert.deepEqual([(await submit(id, {})).status, fieldOf(await submit(id, {}))], [400, 'reference']);
    assert.equal((await submit(id, { reference: 'CBN/INC/1' }, 'operator')).status, 403);
    assert.equal((await list('', tenant)).status, 200);
    assert.equal((await call(service, 'GET', path, undefined, { token: tenant.keys['service']! })).status, 403);
    const submitted = await submit(id, { reference: 'CBN/INC/2026/0001' });
    assert.equal(submitted.status, 200, submitted.text);
    assert.deepEqual([submitted.body['status'], submitted.body['submission_reference']], ['submitted', 'CBN/INC/2026/0001']);
    assert.equal(codeOf(await submit(id, { reference: 'CBN/INC/2026/0002' })), 'incident_already_submitted');
    assert.equal((await resolve(id, { resolution: 'x' }, 'auditor')).status, 403);
    assert.equal((await resolve(id, {})).status, 400);
    const resolved = await resolve(id, { resolution: 'reversal approved and completed' });
    assert.equal(resolved.status, 200, resolved.text);
    assert.deepEqual(
      [resolved.body['status'], resolved.body['resolution'], resolved.body['within_target'], resolved.body['submission_reference']],
      ['resolved', 'reversal approved and completed', true, 'CBN/INC/2026/0001'],
    );
    assert.equal(codeOf(await resolve(id, { resolution: 'again' })), 'incident_resolved');
    assert.equal(codeOf(await submit(id, { reference: 'CBN/INC/2026/0003' })), 'incident_resolved');
    const read = await call(service, 'GET', `${path}/${id}`, undefined, { token: tenant.keys['operator']! });
    assert.deepEqual([read.status, read.body['status']], [200, 'resolved']);
    const missing = await call(service, 'GET', `${path}/INC-2026-999999`, undefined, { token: tenant.keys['auditor']! });
    assert.deepEqual([missing.status, codeOf(missing)], [404, 'incident_not_found']);
    assert.equal(codeOf(await submit('INC-2026-999999', { reference: 'x' })), 'incident_not_found');
    assert.equal(await auditCount('incident.submitted', id), 1);
    const resolvedAudit = await call(service, 'GET', '/api/v1/audit?action=incident.resolved', undefined, { token: tenant.keys['auditor']! });
    assert.equal((resolvedAudit.body['data'] as unknown[]).length, 1);
  });

  it('opens an incident for an overdue dispute and flags incidents past their target once, even with two runs at once', async () => {
    at('2026-12-04T16:00:00Z');
    assert.equal((await toBank(service, tenant, 'dsp-05', 'ada', '0123456705', '700.00')).status, 502);
    const failedId = String((await readTransfer(service, tenant, 'dsp-05'))['failed_transaction_id']);
    const dispute = await call(service, 'POST', '/api/v1/transactions/reversals/disputes', { failed_transaction_id: failedId, customer_id: 'cust-1', reason: 'not credited back' }, { token: tenant.keys['operator']! });
    assert.equal(dispute.status, 201, dispute.text);
    const holidayId = (await only('big-holiday')).incident_reference;
    assert.equal((await submit(holidayId, { reference: 'CBN/INC/2026/0004' })).status, 200);
    // Wednesday 9 December, past the dispute's deadline (Tuesday) and the targets of 7 and 8 December.
    at('2026-12-10T12:00:00Z');
    const deps = service.runtime.deps;
    const runs = await Promise.all([escalateOverdueDisputes(deps), escalateOverdueDisputes(deps)]);
    const breach = (await about('dsp-05')).filter((item) => item['trigger'] === 'dispute_overdue');
    assert.equal(breach.length, 1, JSON.stringify(breach));
    assert.deepEqual([breach[0]!['type'], breach[0]!['overdue']], ['FAILED_ELECTRONIC_PAYMENT', false]);
    const overdue = (await all()).filter((item) => item['overdue'] === true);
    let overdueEverywhere = overdue.length;
    for (const other of others) overdueEverywhere += (await all(other)).filter((item) => item['overdue'] === true).length;
    assert.equal(runs.reduce((sum, run) => sum + run.overdueIncidents, 0), overdueEverywhere);
    const overdueIds = overdue.map((item) => item.incident_reference);
    assert.ok(overdueIds.includes(holidayId) && overdueIds.includes((await only('esc-97')).incident_reference), JSON.stringify(overdueIds));
    assert.ok(!overdueIds.includes((await only('big-05')).incident_reference), 'a resolved incident is never overdue');
    for (const id of overdueIds) assert.equal(await auditCount('incident.overdue', id), 1, id);
    const again = await escalateOverdueDisputes(deps);
    assert.deepEqual([again.overdueIncidents, again.escalated], [0, 0]);
    assert.equal((await about('dsp-05')).filter((item) => item['trigger'] === 'dispute_overdue').length, 1);
    // Resolved late: recorded as beyond its target.
    const late = await resolve(holidayId, { resolution: 'manager approved the reversal late' });
    assert.deepEqual([late.status, late.body['within_target']], [200, false]);
  });

  it('lists by status and detection time in cursor pages, and exports the same rows as CSV', async () => {
    const resolved = (await list('?status=resolved')).body['data'] as Incident[];
    assert.ok(resolved.length === 2 && resolved.every((item) => item['status'] === 'resolved'), JSON.stringify(resolved));
    const friday = (await list('?from=2026-12-04T00:00:00Z&to=2026-12-05T00:00:00Z&limit=200')).body['data'] as Incident[];
    assert.ok(friday.length >= 3 && friday.every((item) => String(item['detected_at']).startsWith('2026-12-04')));
    assert.equal((await list('?from=yesterday')).status, 400);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Response = await list(`?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      assert.equal(page.status, 200, page.text);
      seen.push(...(page.body['data'] as Incident[]).map((item) => item.incident_reference));
      cursor = page.body['next_cursor'] as string | null;
    } while (cursor !== null);
    const everything = await all();
    assert.deepEqual([...seen].sort(), everything.map((item) => item.incident_reference).sort());
    const csv = await list('?limit=200', tenant, { accept: 'text/csv' });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const [header, ...rows] = csv.text.trim().split('\r\n');
    assert.equal(header, incidentCsvColumns.join(','));
    assert.equal(rows.length, everything.length);
    const big = rows.map((row) => Object.fromEntries(incidentCsvColumns.map((name, index) => [name, row.split(',')[index]]))).find((row) => row['transaction_references'] === 'big-05');
    assert.deepEqual(
      [big?.['type'], big?.['status'], big?.['amount'], big?.['currency'], big?.['within_target'], big?.['submission_reference']],
      ['FAILED_ELECTRONIC_PAYMENT', 'resolved', '1500000.00', 'NGN', 'true', 'CBN/INC/2026/0001'],
    );
  });
});

// The dashboard (T5) in real headless Chromium against a real service: sign in with a
// pasted key, the summary tiles, pending reversals with maker-checker refused for the
// requester and approval by a second person, the dispute queue, the failure-pattern
// chart, audit search refused for an admin and answered for an auditor. No console
// error, and no API key in any URL the page asks for. The ledger balances at the end.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startService, type TestService } from '../support/service.ts';
import { call, createTenant, type Tenant } from '../support/client.ts';
import { reversalCalls } from '../support/reversals.ts';
import { fundedCustomer, toBank } from '../support/transfers.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { launchChromium } from '../support/browser.ts';

describe('the dashboard in Chromium', () => {
  let service: TestService;
  let tenant: Tenant;
  let browser: Browser;
  let page: Page;
  let pendingId: string;
  const requestedUrls: string[] = [];
  const consoleErrors: string[] = [];

  before(async () => {
    service = await startService();
    tenant = await createTenant(service, 'Dashboard bank', { reversal_manual_channels: ['branch'] });
    await fundedCustomer(service, tenant, 'alice', '100000.00');
    // One automatic reversal (96, system malfunction) and one manual case on the branch channel (91).
    assert.equal((await toBank(service, tenant, 'auto-1', 'alice', '0123456796', '120.00')).status, 502);
    assert.equal((await toBank(service, tenant, 'branch-1', 'alice', '0123456791', '1234.50', { channel: 'branch' })).status, 502);
    // The system's request is rejected; the admin asks again and becomes the requester.
    const reversals = reversalCalls(service, tenant);
    const first = await reversals.list('?status=PENDING_APPROVAL');
    const [waiting] = first.body['data'] as { reversal_id: string }[];
    assert.equal((await reversals.reject(waiting!.reversal_id)).status, 200);
    const requested = await reversals.request({ failed_transaction_id: 'FTX-branch-1' }, 'admin');
    assert.equal(requested.status, 201, requested.text);
    pendingId = (requested.body['reversal'] as { reversal_id: string }).reversal_id;
    const dispute = await call(service, 'POST', '/api/v1/transactions/reversals/disputes', { transfer_reference: 'branch-1', customer_id: 'cust-7', reason: 'my money left and never arrived', priority: 'high' }, { token: tenant.keys['operator']! });
    assert.equal(dispute.status, 201, dispute.text);
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('request', (request) => requestedUrls.push(request.url()));
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
  });
  after(async () => {
    await browser.close();
    await service.close();
  });

  async function signIn(key: string): Promise<void> {
    const loaded = Number(await page.locator('body').getAttribute('data-loaded') ?? '0');
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator(`body[data-loaded="${loaded + 1}"]`).waitFor();
  }

  async function signOut(): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
  }

  const tile = (name: string): Promise<string> => page.locator('.tile', { hasText: name }).locator('dd').innerText();

  it('serves the page under a strict Content Security Policy', async () => {
    const answer = await page.goto(`${service.baseUrl}/`);
    assert.ok(answer !== null);
    assert.equal(answer.status(), 200);
    const policy = answer.headers()['content-security-policy'] ?? '';
    assert.match(policy, /default-src 'none'/);
    assert.match(policy, /script-src 'self'/);
    assert.equal(await page.title(), 'Contra dashboard');
  });

  it('shows the tiles, the pending reversal, the disputes and the failure chart for an admin', async () => {
    await signIn(tenant.adminKey);
    assert.equal(await tile('Pending reversals'), '1');
    assert.equal(await tile('Automatic reversals today'), '1');
    assert.equal(await tile('Manual reviews today'), '2', 'the rejected and the waiting manual reversal');
    const period = new Date(Date.now() + 3_600_000).toISOString().slice(0, 7);
    const report = await call(service, 'GET', `/api/v1/transactions/reversals/compliance/cbn?period=${period}`, undefined, { token: tenant.adminKey });
    const figures = report.body['figures'] as Record<string, number>;
    const done = figures['reversed_within_timeline']! + figures['reversed_beyond_timeline']!;
    assert.ok(done >= 1, report.text);
    assert.equal(await tile('CBN compliance'), `${(Math.round((figures['reversed_within_timeline']! * 1000) / done) / 10).toFixed(1)}%`);
    const row = page.getByRole('row', { name: new RegExp(pendingId) });
    assert.match(await row.innerText(), /₦1,234\.50/);
    const disputes = await page.locator('#disputes-table').innerText();
    assert.match(disputes, /DSP-/);
    assert.match(disputes, /cust-7/);
    const patterns = await call(service, 'GET', '/api/v1/transactions/reversals/patterns', undefined, { token: tenant.adminKey });
    for (const row of patterns.body['by_failure_type'] as { failure_type: string; failures: number }[]) {
      assert.equal(await page.locator(`#patterns-chart rect[data-failure-type="${row.failure_type}"]`).getAttribute('data-failures'), String(row.failures));
    }
    assert.match(await page.locator('#patterns-summary').innerText(), /2 failed/);
  });

  it('shows the maker-checker refusal when the requester approves', async () => {
    await page.getByRole('button', { name: `Approve ${pendingId}` }).click();
    await page.locator('#reversals-message', { hasText: 'may not approve' }).waitFor();
    assert.match(await page.locator('#reversals-message').innerText(), /^TXR-\S+ was not approved: The requester of a reversal may not approve it.*\(HTTP 403\)$/);
    assert.equal(await tile('Pending reversals'), '1');
  });

  it('shows the refusal of audit search to an admin', async () => {
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#audit-message', { hasText: 'HTTP 403' }).waitFor();
    assert.match(await page.locator('#audit-message').innerText(), /This key may not do that/);
  });

  it('lets a second person approve: the reversal leaves the list and the ledger balances', async () => {
    await signOut();
    await signIn(tenant.keys['approver']!);
    await page.getByRole('button', { name: `Approve ${pendingId}` }).click();
    await page.locator('#reversals-message', { hasText: 'approved' }).waitFor();
    assert.equal(await page.getByRole('button', { name: `Approve ${pendingId}` }).count(), 0);
    assert.equal(await tile('Pending reversals'), '0');
    const read = await reversalCalls(service, tenant).read(pendingId);
    assert.equal(read.body['status'], 'COMPLETED');
    await assertLedgerBalances(service.runtime.deps.store);
  });

  it('searches the audit trail as an auditor, with decrypted details', async () => {
    await signOut();
    await signIn(tenant.keys['auditor']!);
    await page.getByLabel('Transaction id').fill('branch-1');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#audit-message', { hasText: 'found' }).waitFor();
    const results = await page.locator('#audit-results').innerText();
    assert.match(results, /reversal\.completed/);
    assert.match(results, /transfer\.failed/);
  });

  it('never puts a key in a URL and logs no error in the console', () => {
    assert.ok(requestedUrls.length > 10, `${requestedUrls.length} requests`);
    for (const key of Object.values(tenant.keys)) {
      for (const url of requestedUrls) assert.ok(!url.includes(key), `a key in ${url}`);
    }
    // The two refusals above are answers the page shows, which Chromium also reports as failed loads.
    const unexpected = consoleErrors.filter((text) => !/status of 403 \(Forbidden\)/.test(text));
    assert.deepEqual(unexpected, []);
  });
});

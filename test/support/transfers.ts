// Helpers for transfer and reversal tests: accounts with money in them, transfers and
// reads over the real HTTP API.
import assert from 'node:assert/strict';
import type { TestService } from './service.ts';
import { call, type Response, type Tenant } from './client.ts';

/** Creates a funding (suspense) account and a customer account holding `balance`. */
export async function fundedCustomer(service: TestService, tenant: Tenant, accountId: string, balance = '1000000.00', currency = 'NGN'): Promise<void> {
  const token = tenant.keys['operator']!;
  for (const [id, type] of [[`${accountId}-funding`, 'suspense'], [accountId, 'customer']] as const) {
    const created = await call(service, 'POST', '/api/v1/accounts', { account_id: id, type, currency }, { token });
    assert.equal(created.status, 201, created.text);
  }
  const funded = await transfer(service, tenant, { reference: `${accountId}-funding`, sender_account_id: `${accountId}-funding`, receiver: { account_id: accountId }, amount: balance, currency });
  assert.equal(funded.status, 201, funded.text);
}

export function transfer(service: TestService, tenant: Tenant, body: Record<string, unknown>, role = 'service'): Promise<Response> {
  return call(service, 'POST', '/api/v1/transfers', { currency: 'NGN', ...body }, { token: tenant.keys[role]! });
}

/** A transfer to the simulated bank ("999") whose account number ends in `code`. */
export function toBank(service: TestService, tenant: Tenant, reference: string, sender: string, accountNumber: string, amount = '5000.00', extra: Record<string, unknown> = {}): Promise<Response> {
  return transfer(service, tenant, {
    reference, sender_account_id: sender, amount,
    receiver: { bank_code: '999', account_number: accountNumber, account_name: 'Ada Obi' }, ...extra,
  });
}

export async function readTransfer(service: TestService, tenant: Tenant, reference: string): Promise<Record<string, unknown>> {
  const read = await call(service, 'GET', `/api/v1/transfers/${reference}`, undefined, { token: tenant.keys['operator']! });
  assert.equal(read.status, 200, read.text);
  return read.body;
}

export async function balances(service: TestService, tenant: Tenant, accountId: string): Promise<{ posted: string; available: string }> {
  const read = await call(service, 'GET', `/api/v1/accounts/${encodeURIComponent(accountId)}`, undefined, { token: tenant.keys['operator']! });
  assert.equal(read.status, 200, read.text);
  const body = read.body['balances'] as Record<string, string> | undefined ?? read.body as Record<string, string>;
  return { posted: String(body['posted']), available: String(body['available']) };
}

// Helpers for refund tests: pay, refund, read, over the real HTTP API.
import assert from 'node:assert/strict';
import type { TestService } from './service.ts';
import { call, card, paymentBody, type Response, type Tenant } from './client.ts';

export type PayOptions = { amount?: string; cardNumber?: string; fees?: { type: 'fee' | 'tax'; amount: string }[]; currency?: string };

export async function paid(service: TestService, tenant: Tenant, transactionId: string, options: PayOptions = {}): Promise<void> {
  const created = await call(service, 'POST', '/api/v1/payments', paymentBody(transactionId, {
    amount: options.amount ?? '100.00',
    ...(options.currency === undefined ? {} : { currency: options.currency }),
    ...(options.cardNumber === undefined ? {} : { card: card(options.cardNumber) }),
    ...(options.fees === undefined ? {} : { fees: options.fees }),
  }), { token: tenant.keys['service']! });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body['status'], 'PAYMENT-SUCCESS', created.text);
}

export async function refund(service: TestService, tenant: Tenant, transactionId: string, body: Record<string, unknown>, key?: string, role = 'service'): Promise<Response> {
  return call(service, 'POST', `/api/v1/payments/${transactionId}/refunds`, { reason: 'customer asked', ...body }, {
    token: tenant.keys[role]!, ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }),
  });
}

export async function payment(service: TestService, tenant: Tenant, transactionId: string): Promise<Record<string, unknown>> {
  const read = await call(service, 'GET', `/api/v1/payments/${transactionId}`, undefined, { token: tenant.keys['operator']! });
  assert.equal(read.status, 200, read.text);
  return read.body;
}

export async function ledger(service: TestService, tenant: Tenant, transactionId: string): Promise<{ entries: { status: string; sequence: number }[]; transfers: { amount: string; code: string; kind: string }[] }> {
  const read = await call(service, 'GET', `/api/v1/payments/${transactionId}/ledger`, undefined, { token: tenant.keys['operator']! });
  assert.equal(read.status, 200, read.text);
  return read.body as never;
}

/** The account's balances (`posted`, `pending`, `available`, …). */
export async function accountBalance(service: TestService, tenant: Tenant, accountId: string): Promise<Record<string, unknown>> {
  const read = await call(service, 'GET', `/api/v1/accounts/${encodeURIComponent(accountId)}`, undefined, { token: tenant.keys['operator']! });
  assert.equal(read.status, 200, read.text);
  return read.body['balances'] as Record<string, unknown>;
}

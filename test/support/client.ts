// A small HTTP client for API tests: JSON in, status + headers + parsed body out.
import type { TestService } from './service.ts';
import { adminToken } from './service.ts';

export type Response = { status: number; headers: Headers; text: string; body: Record<string, unknown> };

export type RequestOptions = { token?: string | null; headers?: Record<string, string>; rawBody?: string };

export async function call(service: TestService, method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== null && options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  let payload: string | undefined = options.rawBody;
  if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${service.baseUrl}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = {};
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

export type Tenant = { tenantId: string; adminKey: string; keys: Record<string, string> };

/** Creates a tenant and one key of every role. */
export async function createTenant(service: TestService, name = 'Test tenant', settings?: Record<string, unknown>): Promise<Tenant> {
  const created = await call(service, 'POST', '/api/v1/tenants', { name, ...(settings === undefined ? {} : { settings }) }, { token: adminToken });
  if (created.status !== 201) throw new Error(`tenant creation failed: ${created.text}`);
  const adminKey = String(created.body['api_key']);
  const keys: Record<string, string> = { admin: adminKey };
  for (const role of ['operator', 'approver', 'auditor', 'service']) {
    const key = await call(service, 'POST', '/api/v1/api-keys', { role, name: `${role} key` }, { token: adminKey });
    if (key.status !== 201) throw new Error(`key creation failed: ${key.text}`);
    keys[role] = String(key.body['api_key']);
  }
  return { tenantId: String(created.body['tenant_id']), adminKey, keys };
}

export function paymentBody(transactionId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    transaction_id: transactionId,
    amount: '100.00',
    currency: 'NGN',
    processor_id: 'simulator',
    card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' },
    ...overrides,
  };
}

export function card(number: string): Record<string, unknown> {
  return { number, exp_month: 12, exp_year: 2040, cvc: '123' };
}

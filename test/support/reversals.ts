// Helpers for reversal tests: the reversal endpoints over the real HTTP API.
import type { TestService } from './service.ts';
import { call, type Response, type Tenant } from './client.ts';

export function reversalCalls(service: TestService, tenant: Tenant) {
  return {
    request: (body: Record<string, unknown>, role = 'operator', key?: string): Promise<Response> =>
      call(service, 'POST', '/api/v1/transactions/reversals', { reason: 'customer says the beneficiary was not credited', ...body }, { token: tenant.keys[role]!, ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }) }),
    approve: (id: string, role = 'approver', key?: string): Promise<Response> =>
      call(service, 'POST', `/api/v1/transactions/reversals/${id}/approve`, undefined, { token: tenant.keys[role]!, ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }) }),
    reject: (id: string, role = 'approver', extra: Record<string, unknown> = {}, key?: string): Promise<Response> =>
      call(service, 'POST', `/api/v1/transactions/reversals/${id}/reject`, { reason: 'beneficiary bank confirms the credit', ...extra }, { token: tenant.keys[role]!, ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }) }),
    read: (id: string): Promise<Response> => call(service, 'GET', `/api/v1/transactions/reversals/${id}`, undefined, { token: tenant.keys['operator']! }),
    list: (query = ''): Promise<Response> => call(service, 'GET', `/api/v1/transactions/reversals${query}`, undefined, { token: tenant.keys['operator']! }),
    detect: (): Promise<Response> => call(service, 'POST', '/api/v1/transactions/reversals/detect', undefined, { token: tenant.keys['service']! }),
  };
}


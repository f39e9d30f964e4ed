// Payments (or refunds) per second through the use cases called directly: no HTTP, the
// real store, key vault and simulator processor. Each payment, and each refund, is two commits.
import { createTenant } from '../src/app/tenants/tenants.ts';
import { createPayment } from '../src/app/payments/create-payment.ts';
import { requestRefund } from '../src/app/refunds/request-refund.ts';
import type { Principal } from '../src/app/access/principal.ts';
import type { Dependencies } from '../src/app/dependencies.ts';
import type { ApiKeyId, TenantId } from '../src/domain/ids.ts';
import { benchPayment, openBenchRuntime } from './bench-service.ts';
import { runConcurrently } from './run-concurrently.ts';
import { LatencyRecorder, type ScenarioResult } from './stats.ts';

/** PAYMENT-INITIATED/PENDING, then the settlement with its journal transfers. */
export const commitsPerPayment = 2;

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

export async function benchTenant(deps: Dependencies): Promise<TenantPrincipal> {
  const created = await createTenant(deps, { kind: 'bootstrap' }, { name: 'Benchmark tenant' });
  if (!created.ok) throw new Error(`could not create the benchmark tenant: ${created.code}`);
  const tenantId = created.value.body['tenant_id'] as TenantId;
  const apiKeyId = created.value.body['api_key_id'] as ApiKeyId;
  return { kind: 'api_key', tenantId, apiKeyId, role: 'service' };
}

async function payOnce(deps: Dependencies, principal: TenantPrincipal, transactionId: string): Promise<void> {
  const result = await createPayment(deps, principal, { ...benchPayment, transactionId }, null);
  if (!result.ok) throw new Error(`payment ${transactionId} refused: ${result.code}`);
  if (result.value.statusCode !== 201) throw new Error(`payment ${transactionId} answered ${result.value.statusCode}: ${result.value.bodyText}`);
}

async function refundOnce(deps: Dependencies, principal: TenantPrincipal, transactionId: string): Promise<void> {
  const result = await requestRefund(deps, principal, { transactionId, reason: 'benchmark' }, null);
  if (!result.ok) throw new Error(`refund of ${transactionId} refused: ${result.code}`);
  if (result.value.statusCode !== 200) throw new Error(`refund of ${transactionId} answered ${result.value.statusCode}: ${result.value.bodyText}`);
}

export type PaymentRun = { readonly payments: number; readonly warmupPayments: number; readonly concurrency: number };

export async function measureInProcess(run: PaymentRun, operation: 'payments' | 'refunds'): Promise<ScenarioResult> {
  const service = await openBenchRuntime();
  try {
    const deps = service.runtime.deps;
    const principal = await benchTenant(deps);
    // The warm-up creates the system accounts and lets the JIT settle; it is not counted.
    await runConcurrently(run.warmupPayments, run.concurrency, (index) => payOnce(deps, principal, `warmup-${index}`), () => undefined);
    let timed = (index: number): Promise<void> => payOnce(deps, principal, `bench-${index}`);
    if (operation === 'refunds') {
      // Pay untimed first; then each timed operation is the full refund of one payment.
      await runConcurrently(run.warmupPayments, run.concurrency, (index) => refundOnce(deps, principal, `warmup-${index}`), () => undefined);
      await runConcurrently(run.payments, run.concurrency, (index) => payOnce(deps, principal, `bench-${index}`), () => undefined);
      timed = (index) => refundOnce(deps, principal, `bench-${index}`);
    }
    const latencies = new LatencyRecorder(run.payments);
    const elapsedMs = await runConcurrently(run.payments, run.concurrency, timed, (durationMs) => { latencies.record(durationMs); });
    return {
      name: `${operation} in-process`,
      concurrency: run.concurrency,
      operations: run.payments,
      commitsPerOperation: commitsPerPayment,
      elapsedMs,
      latency: latencies.summary(),
    };
  } finally {
    await service.close();
  }
}

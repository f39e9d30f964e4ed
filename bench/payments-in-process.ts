// Payments per second through the createPayment use case called directly: no HTTP, the
// real store, key vault and simulator processor. Each payment is two commits.
import { createTenant } from '../src/app/tenants/tenants.ts';
import { createPayment } from '../src/app/payments/create-payment.ts';
import type { Principal } from '../src/app/access/principal.ts';
import type { Dependencies } from '../src/app/dependencies.ts';
import type { ApiKeyId, TenantId } from '../src/domain/ids.ts';
import { benchPayment, openBenchRuntime } from './bench-service.ts';
import { runConcurrently } from './run-concurrently.ts';
import { LatencyRecorder, type ScenarioResult } from './stats.ts';

/** PAYMENT-INITIATED/PENDING, then the settlement with its journal transfers. */
export const commitsPerPayment = 2;

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;

async function benchTenant(deps: Dependencies): Promise<TenantPrincipal> {
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

export type PaymentRun = { readonly payments: number; readonly warmupPayments: number; readonly concurrency: number };

export async function measurePaymentsInProcess(run: PaymentRun): Promise<ScenarioResult> {
  const service = await openBenchRuntime();
  try {
    const deps = service.runtime.deps;
    const principal = await benchTenant(deps);
    // The warm-up creates the system accounts and lets the JIT settle; it is not counted.
    await runConcurrently(run.warmupPayments, run.concurrency, (index) => payOnce(deps, principal, `warmup-${index}`), () => undefined);
    const latencies = new LatencyRecorder(run.payments);
    const elapsedMs = await runConcurrently(
      run.payments, run.concurrency, (index) => payOnce(deps, principal, `bench-${index}`), (durationMs) => { latencies.record(durationMs); },
    );
    return {
      name: 'payments in-process',
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

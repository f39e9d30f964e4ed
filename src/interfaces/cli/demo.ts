// `contra demo`: a tenant and a stream of simulated payments over the real use cases,
// with a progress bar, so the product can be seen working without a real processor.
import { SingleBar, Presets } from 'cli-progress';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { openRuntime } from '../runtime.ts';
import { createTenant } from '../../app/tenants/tenants.ts';
import { createPayment } from '../../app/payments/create-payment.ts';
import type { ApiKeyId, TenantId } from '../../domain/ids.ts';

export const demoPaymentsMax = 100_000;
const demoCards = ['4242424242424242', '4242424242424242', '4242424242424242', '4000000000000002', '4000000000009995', '4000000000003220'];

export async function demo(config: Config, logger: Logger, options: { payments: number; concurrency: number }): Promise<void> {
  const count = Math.min(Math.max(options.payments, 1), demoPaymentsMax);
  const concurrency = Math.min(Math.max(options.concurrency, 1), 64);
  const runtime = await openRuntime(config, logger);
  try {
    const created = await createTenant(runtime.deps, { kind: 'bootstrap' }, { name: `Demo ${new Date().toISOString()}` });
    if (!created.ok) throw new Error(`could not create the demo tenant: ${created.code}`);
    const tenantId = created.value.body['tenant_id'] as TenantId;
    const principal = { kind: 'api_key' as const, tenantId, apiKeyId: created.value.body['api_key_id'] as ApiKeyId, role: 'service' as const };
    const outcomes = new Map<string, number>();
    const bar = new SingleBar({ format: 'payments [{bar}] {value}/{total} {eta_formatted}' }, Presets.shades_classic);
    bar.start(count, 0);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        const index = next++;
        const result = await createPayment(runtime.deps, principal, {
          transactionId: `demo-${index + 1}`,
          amount: `${(index % 50) + 1}000.00`,
          currency: 'NGN',
          processorId: 'simulator',
          card: { number: demoCards[index % demoCards.length] ?? '4242424242424242', expMonth: 12, expYear: 2040, cvc: '123' },
          fees: [{ type: 'fee', amount: '15.00' }, { type: 'tax', amount: '1.13' }],
        }, null);
        const status = result.ok ? String((JSON.parse(result.value.bodyText) as { status?: unknown }).status) : result.code;
        outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
        bar.increment();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
    bar.stop();
    const apiKey = created.value.body['api_key'];
    process.stdout.write(`\ntenant ${tenantId}\nadmin API key (shown once): ${typeof apiKey === 'string' ? apiKey : '?'}\n`);
    for (const [status, total] of outcomes) process.stdout.write(`  ${status}: ${total}\n`);
  } finally {
    await runtime.close();
  }
}

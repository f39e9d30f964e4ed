// Payments or refunds per second over HTTP: the real Fastify server on 127.0.0.1, and a
// separate load process posting with K keep-alive connections. A refund, like a payment,
// is two commits (the hold, then the processor's answer).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { buildHttpServer } from '../src/interfaces/http/server.ts';
import { benchAdminToken, openBenchRuntime } from './bench-service.ts';
import { loadReportSchema, type LoadReport, type LoadRequest } from './http-load-messages.ts';
import { commitsPerPayment, type PaymentRun } from './payments-in-process.ts';
import type { ScenarioResult } from './stats.ts';

const loadClientPath = fileURLToPath(new URL('./http-load-client.ts', import.meta.url));

async function postJson(url: string, token: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST ${url} answered ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** A tenant and a service key, made over HTTP like a real integrator would. */
async function serviceKey(baseUrl: string): Promise<string> {
  const tenant = await postJson(`${baseUrl}/api/v1/tenants`, benchAdminToken, { name: 'Benchmark tenant' });
  const adminKey = tenant['api_key'];
  if (typeof adminKey !== 'string') throw new Error('the tenant answer has no api_key');
  const key = await postJson(`${baseUrl}/api/v1/api-keys`, adminKey, { role: 'service', name: 'benchmark' });
  const apiKey = key['api_key'];
  if (typeof apiKey !== 'string') throw new Error('the API key answer has no api_key');
  return apiKey;
}

/** Runs the load in a child process (without the parent's profiling flags) and waits for its report. */
async function runLoadProcess(load: LoadRequest): Promise<LoadReport> {
  const child = fork(loadClientPath, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(child, 'exit');
  try {
    const reported = once(child, 'message').then(([message]: unknown[]) => ({ message }));
    child.send(load);
    const outcome = await Promise.race([reported, exited.then(() => null)]);
    if (outcome === null) throw new Error('the load process exited without a report');
    return loadReportSchema.parse(outcome.message);
  } finally {
    await exited;
  }
}

export async function measureOverHttp(run: PaymentRun, operation: 'payments' | 'refunds'): Promise<ScenarioResult> {
  const service = await openBenchRuntime();
  try {
    const app = await buildHttpServer(service.runtime, { logger: service.logger, bodyLimitBytes: service.config.bodyLimitBytes });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
      const baseUrl = `http://127.0.0.1:${address.port}`;
      const report = await runLoadProcess({ operation, baseUrl, apiKey: await serviceKey(baseUrl), ...run });
      if (!report.ok) throw new Error(`the HTTP load failed: ${report.error}`);
      return {
        name: `${operation} over HTTP`,
        concurrency: run.concurrency,
        operations: run.payments,
        commitsPerOperation: commitsPerPayment,
        elapsedMs: report.elapsedMs,
        latency: report.latency,
      };
    } finally {
      await app.close();
    }
  } finally {
    await service.close();
  }
}

// `npm run bench:notifications`: through the running service — HTTP server and the same
// scheduler `contra serve` runs, on the embedded store — how long from a transfer the bank
// refuses (NIP 96, reversed automatically) to the customer's SMS reaching the gateway, and
// how that splits: the transfer call (failure detected and reversed in one commit), then
// the delivery job's pick-up and the signed webhook. The baseline, measured in the same
// run, is a plain internal transfer over HTTP. Sequential events; nothing is asserted.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/interfaces/config.ts';
import { createLogger } from '../src/interfaces/logger.ts';
import { openRuntime } from '../src/interfaces/runtime.ts';
import { buildHttpServer } from '../src/interfaces/http/server.ts';
import { startScheduler } from '../src/interfaces/jobs/scheduler.ts';
import { backgroundJobs } from '../src/interfaces/jobs/background-jobs.ts';
import { describeMachine } from './report.ts';
import { summarizeLatencies } from './stats.ts';

const events = Number(process.env['BENCH_EVENTS'] ?? 200);
const adminToken = 'bench-bootstrap-token-0123456789abcdef';

type Post = (path: string, token: string, body: unknown) => Promise<{ status: number; body: Record<string, unknown> }>;

/** The SMS gateway: notes when each reversal's message (by its TXR reference) first arrives. */
async function startGateway(received: Map<string, number>): Promise<Server> {
  const gateway = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reference = /TXR-\d{4}-\d{6}/.exec(Buffer.concat(chunks).toString('utf8'))?.[0];
      if (reference !== undefined && !received.has(reference)) received.set(reference, performance.now());
      response.end('{}');
    });
  });
  gateway.listen(0, '127.0.0.1');
  await once(gateway, 'listening');
  return gateway;
}

/** A tenant with a service key and a well-funded customer `ada`; returns the admin and service keys. */
async function prepare(post: Post): Promise<{ admin: string; service: string }> {
  const tenant = await post('/api/v1/tenants', adminToken, { name: 'bench' });
  const admin = String(tenant.body['api_key']);
  const service = String((await post('/api/v1/api-keys', admin, { role: 'service', name: 'bench' })).body['api_key']);
  for (const [id, type] of [['funding', 'suspense'], ['ada', 'customer'], ['bola', 'customer']] as const) {
    await post('/api/v1/accounts', admin, { account_id: id, type, currency: 'NGN' });
  }
  await post('/api/v1/transfers', service, { reference: 'fund', sender_account_id: 'funding', receiver: { account_id: 'ada' }, amount: '100000000.00', currency: 'NGN' });
  return { admin, service };
}

async function main(): Promise<void> {
  const received = new Map<string, number>();
  const gateway = await startGateway(received);
  const dataDir = mkdtempSync(join(tmpdir(), 'contra-bench-notify-'));
  const config = loadConfig({
    CONTRA_DATA_DIR: dataDir, CONTRA_ADMIN_TOKEN: adminToken, CONTRA_LOG_LEVEL: 'silent',
    CONTRA_NOTIFY_CUSTOMER_CHANNEL: 'sms', CONTRA_SMS_WEBHOOK_URL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/sms`,
    CONTRA_WEBHOOK_SECRET: 'bench-webhook-secret-0123456789',
  });
  const runtime = await openRuntime(config, createLogger('silent'));
  const app = await buildHttpServer(runtime, { logger: createLogger('silent') });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const scheduler = startScheduler(backgroundJobs(runtime, config), createLogger('silent'));
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const post: Post = async (path, token, body) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() as Record<string, unknown> };
  };
  const get = async (path: string, token: string): Promise<Record<string, unknown>> => (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<Record<string, unknown>>;
  try {
    const { admin, service } = await prepare(post);

    const internal = new Float64Array(events);
    for (let index = 0; index < events; index++) {
      const started = performance.now();
      await post('/api/v1/transfers', service, { reference: `in-${index}`, sender_account_id: 'ada', receiver: { account_id: 'bola' }, amount: '10.00', currency: 'NGN' });
      internal[index] = performance.now() - started;
    }
    const call = new Float64Array(events);
    const delivery = new Float64Array(events);
    const total = new Float64Array(events);
    for (let index = 0; index < events; index++) {
      const started = performance.now();
      const answer = await post('/api/v1/transfers', service, {
        reference: `fail-${index}`, sender_account_id: 'ada', amount: '5000.00', currency: 'NGN',
        receiver: { bank_code: '999', account_number: '0123456796', account_name: 'Ada Obi' },
      });
      const answeredAt = performance.now();
      if (answer.status !== 502) throw new Error(`transfer fail-${index} answered ${answer.status}`);
      const reversal = String((await get(`/api/v1/transfers/fail-${index}`, admin))['reversal_id']);
      let deliveredAt = received.get(reversal);
      while (deliveredAt === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        deliveredAt = received.get(reversal);
      }
      call[index] = answeredAt - started;
      delivery[index] = deliveredAt - answeredAt;
      total[index] = deliveredAt - started;
    }
    const baseline = summarizeLatencies(internal);
    const rows: [string, Float64Array][] = [
      ['internal transfer over HTTP (baseline)', internal],
      ['refused transfer: call, reversal committed', call],
      ['reversal committed → SMS at the gateway', delivery],
      ['refused transfer → SMS at the gateway', total],
    ];
    process.stdout.write(`\n${describeMachine()}\n${events} events each, delivery job every ${config.notifications.intervalMs} ms\n\n`);
    process.stdout.write('| path | p50 ms | p99 ms | max ms | p50 ÷ baseline p50 |\n| --- | ---: | ---: | ---: | ---: |\n');
    for (const [name, samples] of rows) {
      const summary = summarizeLatencies(samples);
      process.stdout.write(`| ${name} | ${summary.p50Ms.toFixed(1)} | ${summary.p99Ms.toFixed(1)} | ${summary.maxMs.toFixed(1)} | ${(summary.p50Ms / baseline.p50Ms).toFixed(1)} |\n`);
    }
  } finally {
    await scheduler.stop();
    await app.close();
    await runtime.close();
    gateway.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();

// The HTTP load generator, run as its own process so that building requests and parsing
// answers does not share the server's event loop: POST /api/v1/payments, or (after paying
// untimed) POST /api/v1/payments/:id/refunds, K at a time.
import { Agent, request } from 'node:http';
import { runConcurrently } from './run-concurrently.ts';
import { loadRequestSchema, type LoadReport, type LoadRequest } from './http-load-messages.ts';
import { LatencyRecorder } from './stats.ts';

function paymentBody(transactionId: string): string {
  return JSON.stringify({
    transaction_id: transactionId,
    amount: '100.00',
    currency: 'NGN',
    processor_id: 'simulator',
    card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' },
    fees: [{ type: 'fee', amount: '1.50' }, { type: 'tax', amount: '0.11' }],
  });
}

function postPayment(agent: Agent, load: LoadRequest, transactionId: string): Promise<void> {
  return post(agent, load, '/api/v1/payments', paymentBody(transactionId), (status, text) => status === 201 && text.includes('"PAYMENT-SUCCESS"'));
}

function postRefund(agent: Agent, load: LoadRequest, transactionId: string): Promise<void> {
  return post(agent, load, `/api/v1/payments/${transactionId}/refunds`, JSON.stringify({ reason: 'benchmark' }), (status, text) => status === 200 && text.includes('"success"'));
}

function post(agent: Agent, load: LoadRequest, path: string, body: string, succeeded: (status: number, text: string) => boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const outgoing = request(`${load.baseUrl}${path}`, {
      method: 'POST',
      agent,
      headers: { authorization: `Bearer ${load.apiKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (succeeded(response.statusCode ?? 0, text)) resolve();
        else reject(new Error(`POST ${path} answered ${response.statusCode ?? '?'}: ${text.slice(0, 300)}`));
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function runLoad(load: LoadRequest): Promise<LoadReport> {
  // One keep-alive connection per client in flight, as K independent callers would have.
  const agent = new Agent({ keepAlive: true, maxSockets: load.concurrency });
  try {
    await runConcurrently(load.warmupPayments, load.concurrency, (index) => postPayment(agent, load, `warmup-${index}`), () => undefined);
    let timed = (index: number): Promise<void> => postPayment(agent, load, `bench-${index}`);
    if (load.operation === 'refunds') {
      await runConcurrently(load.warmupPayments, load.concurrency, (index) => postRefund(agent, load, `warmup-${index}`), () => undefined);
      await runConcurrently(load.payments, load.concurrency, (index) => postPayment(agent, load, `bench-${index}`), () => undefined);
      timed = (index) => postRefund(agent, load, `bench-${index}`);
    }
    const latencies = new LatencyRecorder(load.payments);
    const elapsedMs = await runConcurrently(load.payments, load.concurrency, timed, (durationMs) => { latencies.record(durationMs); });
    return { ok: true, elapsedMs, latency: latencies.summary() };
  } finally {
    agent.destroy();
  }
}

process.once('message', (message: unknown) => {
  const report = (async (): Promise<LoadReport> => {
    try {
      return await runLoad(loadRequestSchema.parse(message));
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  })();
  void report.then((answer) => {
    process.send?.(answer, () => { process.disconnect(); });
  });
});

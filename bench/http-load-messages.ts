// What the benchmark and its HTTP load process tell each other over the IPC channel.
import { z } from 'zod';

export const loadRequestSchema = z.strictObject({
  /** payments: POST /api/v1/payments; refunds: pay first (untimed), then time the full refunds. */
  operation: z.enum(['payments', 'refunds']),
  baseUrl: z.string(),
  apiKey: z.string(),
  payments: z.int().min(1),
  warmupPayments: z.int().min(0),
  concurrency: z.int().min(1),
});
export type LoadRequest = z.infer<typeof loadRequestSchema>;

const latencySchema = z.strictObject({ p50Ms: z.number(), p99Ms: z.number(), maxMs: z.number() });

export const loadReportSchema = z.union([
  z.strictObject({ ok: z.literal(true), elapsedMs: z.number(), latency: latencySchema }),
  z.strictObject({ ok: z.literal(false), error: z.string() }),
]);
export type LoadReport = z.infer<typeof loadReportSchema>;

// Helpers for the Lambda tests: recorded API Gateway and EventBridge events with their
// placeholders filled, a Lambda context, a Lambda root over a fresh store (SQLite, a
// PostgreSQL schema under CONTRA_TEST_STORE=postgres, tables of their own on DynamoDB Local
// under CONTRA_TEST_STORE=dynamodb), and the JSON lines written to stdout.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { mock } from 'node:test';
import type { Context } from 'aws-lambda';
import { openLambdaRoot, type LambdaRoot, type LambdaRootOptions } from '../../src/interfaces/lambda/lambda-root.ts';
import { adminToken } from './service.ts';
import { createServiceSchema, createServiceTables, testStoreKind } from './test-store.ts';

export function recordedEvent(name: string, values: Readonly<Record<string, string>> = {}): unknown {
  let text = readFileSync(new URL(`../lambda/events/${name}`, import.meta.url), 'utf8');
  for (const [placeholder, value] of Object.entries(values)) text = text.replaceAll(`{{${placeholder}}}`, value);
  return JSON.parse(text) as unknown;
}

export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/22/[$LATEST]abcdef0123456789',
    getRemainingTimeInMillis: () => 29_000,
    // The type still requires the callbacks of the pre-async Node runtimes; nothing calls them.
    /* eslint-disable @typescript-eslint/no-deprecated */
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    /* eslint-enable @typescript-eslint/no-deprecated */
  };
}

export type TestLambdaRoot = { readonly root: LambdaRoot; readonly pinoLogs: string[]; close(): Promise<void> };

/** A Lambda root as a container would open it, over its own data directory or schema. */
export async function openTestLambdaRoot(environment: Record<string, string> = {}, options: LambdaRootOptions = {}): Promise<TestLambdaRoot> {
  const dataDir = mkdtempSync(join(tmpdir(), 'contra-lambda-'));
  const postgres = testStoreKind() === 'postgres' ? await createServiceSchema() : null;
  const dynamodb = testStoreKind() === 'dynamodb' ? createServiceTables() : null;
  const pinoLogs: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      pinoLogs.push(chunk.toString('utf8'));
      callback();
    },
  });
  const root = await openLambdaRoot({
    ...(postgres === null ? {} : { DATABASE_URL: postgres.url }),
    ...dynamodb?.environment,
    CONTRA_DATA_DIR: dataDir,
    CONTRA_ADMIN_TOKEN: adminToken,
    CONTRA_LOG_LEVEL: 'debug',
    CONTRA_REQUERY_DELAY_MS: '0',
    CONTRA_PROCESSOR_TIMEOUT_MS: '2000',
    ...environment,
  }, { logDestination, ...options });
  return {
    root,
    pinoLogs,
    async close() {
      await root.close();
      await postgres?.drop();
      await dynamodb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type StdoutCapture = { readonly lines: Record<string, unknown>[]; restore(): void };

/**
 * Captures the JSON objects written to stdout and stderr (Powertools logs, EMF metrics)
 * and passes every other write through, so the test runner's own reporting is untouched.
 */
export function captureStdoutJson(): StdoutCapture {
  const lines: Record<string, unknown>[] = [];
  const spies = [process.stdout, process.stderr].map((stream) => captureJsonWrites(stream, lines));
  return { lines, restore: () => { for (const spy of spies) spy.mock.restore(); } };
}

function captureJsonWrites(stream: NodeJS.WriteStream, lines: Record<string, unknown>[]) {
  const original = stream.write.bind(stream);
  return mock.method(stream, 'write', (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : '';
    const parsed = text.split('\n').filter((line) => line.startsWith('{')).map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return null;
      }
    });
    if (parsed.length > 0 && parsed.every((line) => line !== null)) {
      lines.push(...parsed);
      return true;
    }
    return Reflect.apply(original, stream, [chunk, ...rest]) as boolean;
  });
}

/** The EMF documents among captured lines: metric name → summed value. */
export function emfMetrics(lines: readonly Record<string, unknown>[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of lines) {
    const aws = line['_aws'] as { CloudWatchMetrics?: { Metrics: { Name: string }[] }[] } | undefined;
    for (const directive of aws?.CloudWatchMetrics ?? []) {
      for (const { Name } of directive.Metrics) {
        const value = line[Name];
        const values = Array.isArray(value) ? value : [value];
        totals.set(Name, (totals.get(Name) ?? 0) + values.reduce((sum: number, item) => sum + Number(item), 0));
      }
    }
  }
  return totals;
}

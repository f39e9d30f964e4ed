// The one configuration loader for every way of running Contra (server, CLI, Lambda):
// environment variables, validated, with defaults. A bad value stops start-up with a
// message naming the variable.
import { resolve } from 'node:path';
import { z } from 'zod';

const environmentSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  CONTRA_DATA_DIR: z.string().default('./data'),
  CONTRA_STORE: z.enum(['sqlite', 'postgres', 'dynamodb']).optional(),
  DATABASE_URL: z.string().optional(),
  CONTRA_DYNAMODB_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  DYNAMODB_TABLE_NAME: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name').default('PaymentLedger'),
  DYNAMODB_AUDIT_TABLE_NAME: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name').default('PaymentAuditTrail'),
  AWS_REGION: z.string().regex(/^[a-z0-9-]+$/, 'must be an AWS region').optional(),
  AWS_DEFAULT_REGION: z.string().regex(/^[a-z0-9-]+$/, 'must be an AWS region').optional(),
  CONTRA_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  CONTRA_MASTER_KEY_FILE: z.string().optional(),
  CONTRA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CONTRA_PROCESSOR_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  CONTRA_REQUERY_DELAY_MS: z.coerce.number().int().min(0).default(30_000),
  CONTRA_REQUERY_ATTEMPTS_MAX: z.coerce.number().int().min(1).max(1000).default(20),
  CONTRA_REQUERY_INTERVAL_MS: z.coerce.number().int().min(100).default(15_000),
  CONTRA_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(100).default(300_000),
  CONTRA_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  CONTRA_SIMULATOR_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
});

export type Config = {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly store: { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string } | DynamoDbStoreConfig;
  readonly adminToken: string | null;
  readonly masterKeyFile: string;
  readonly logLevel: string;
  readonly processorTimeoutMs: number;
  readonly requeryDelayMs: number;
  readonly requeryAttemptsMax: number;
  readonly requeryIntervalMs: number;
  readonly checkpointIntervalMs: number;
  readonly bodyLimitBytes: number;
  readonly simulatorLatencyMs: number;
};

export type DynamoDbStoreConfig = {
  readonly kind: 'dynamodb';
  readonly region: string;
  /** An emulator (DynamoDB Local) instead of AWS; null for the region's AWS endpoint. */
  readonly endpoint: string | null;
  readonly ledgerTable: string;
  readonly auditTable: string;
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set": `PORT=` must not silently pick a random port.
  const present = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`configuration: ${issue?.path.join('.') ?? '?'} ${issue?.message ?? 'is invalid'}`);
  }
  const env = parsed.data;
  const dataDir = resolve(env.CONTRA_DATA_DIR);
  const kind = env.CONTRA_STORE ?? (env.DATABASE_URL === undefined ? 'sqlite' : 'postgres');
  let store: Config['store'];
  if (kind === 'postgres') {
    if (env.DATABASE_URL === undefined) throw new ConfigError('configuration: CONTRA_STORE=postgres needs DATABASE_URL');
    store = { kind, url: env.DATABASE_URL };
  } else if (kind === 'dynamodb') {
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (region === undefined) throw new ConfigError('configuration: CONTRA_STORE=dynamodb needs AWS_REGION');
    store = { kind, region, endpoint: env.CONTRA_DYNAMODB_ENDPOINT ?? null, ledgerTable: env.DYNAMODB_TABLE_NAME, auditTable: env.DYNAMODB_AUDIT_TABLE_NAME };
  } else {
    store = { kind, path: resolve(dataDir, 'contra.db') };
  }
  return {
    host: env.HOST,
    port: env.PORT,
    dataDir,
    store,
    adminToken: env.CONTRA_ADMIN_TOKEN ?? null,
    masterKeyFile: resolve(env.CONTRA_MASTER_KEY_FILE ?? resolve(dataDir, 'master.key')),
    logLevel: env.CONTRA_LOG_LEVEL,
    processorTimeoutMs: env.CONTRA_PROCESSOR_TIMEOUT_MS,
    requeryDelayMs: env.CONTRA_REQUERY_DELAY_MS,
    requeryAttemptsMax: env.CONTRA_REQUERY_ATTEMPTS_MAX,
    requeryIntervalMs: env.CONTRA_REQUERY_INTERVAL_MS,
    checkpointIntervalMs: env.CONTRA_CHECKPOINT_INTERVAL_MS,
    bodyLimitBytes: env.CONTRA_BODY_LIMIT_BYTES,
    simulatorLatencyMs: env.CONTRA_SIMULATOR_LATENCY_MS,
  };
}

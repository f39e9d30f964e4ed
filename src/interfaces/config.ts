// The one configuration loader for every way of running Contra (server, CLI, Lambda):
// environment variables, validated, with defaults. A bad value stops start-up with a
// message naming the variable.
import { resolve } from 'node:path';
import { z } from 'zod';
import { Cron } from 'croner';

function isCronPattern(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
function isHttpsOrLoopback(value: string): boolean {
  const url = new URL(value);
  return url.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}
import { kmsKeyArnPattern } from '../adapters/key-vault/aws-kms/kms-key-arn.ts';
import { fifoQueueUrlPattern } from '../adapters/queue/fifo-queue-url.ts';

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
  CONTRA_METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters').regex(/^\S+$/, 'must not contain spaces').optional(),
  CONTRA_MASTER_KEY_FILE: z.string().optional(),
  PAYMENT_KMS_KEY_ARN: z.string().regex(kmsKeyArnPattern, 'must be a KMS key or alias ARN (arn:aws:kms:<region>:<account>:key/… or alias/…)').optional(),
  CONTRA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CONTRA_PROCESSOR_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  CONTRA_REQUERY_DELAY_MS: z.coerce.number().int().min(0).default(30_000),
  CONTRA_REQUERY_ATTEMPTS_MAX: z.coerce.number().int().min(1).max(1000).default(20),
  CONTRA_REQUERY_INTERVAL_MS: z.coerce.number().int().min(100).default(15_000),
  CONTRA_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(100).default(300_000),
  CONTRA_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  CONTRA_SIMULATOR_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  CONTRA_NOTIFY_INTERVAL_MS: z.coerce.number().int().min(50).default(250),
  CONTRA_NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).max(20_000).default(10_000),
  CONTRA_NOTIFY_LOG_FILE: z.string().optional(),
  CONTRA_NOTIFY_CUSTOMER_CHANNEL: z.enum(['log', 'email', 'sms', 'push', 'webhook']).default('log'),
  CONTRA_NOTIFY_OPERATIONS_CHANNEL: z.enum(['log', 'email', 'sms', 'push', 'webhook']).default('log'),
  CONTRA_NOTIFY_OPERATIONS_TO: z.string().min(1).max(320).default('operations'),
  CONTRA_SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  CONTRA_SMTP_FROM: z.string().min(3).max(320).optional(),
  CONTRA_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  CONTRA_SMS_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  CONTRA_PUSH_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  CONTRA_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  CONTRA_BACKUP_DIR: z.string().optional(),
  CONTRA_BACKUP_S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name').optional(),
  CONTRA_BACKUP_S3_PREFIX: z.string().max(200).regex(/^([A-Za-z0-9._-]+\/)*$/, 'must be empty or end with /').default('contra/'),
  CONTRA_BACKUP_S3_ENDPOINT: z.url().optional(),
  CONTRA_BACKUP_CRON: z.string().max(100).refine(isCronPattern, 'must be a cron expression such as "0 2 * * *"').default('0 2 * * *'),
  CONTRA_BACKUP_SETTLE_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  CONTRA_BACKUP_TIMEZONE: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as Africa/Lagos').default('Africa/Lagos'),
  CONTRA_ORPHAN_GRACE_MS: z.coerce.number().int().min(0).default(15 * 60_000),
  CONTRA_GLITCH_WINDOW_MS: z.coerce.number().int().min(1000).default(10 * 60_000),
  CONTRA_GLITCH_BURST_THRESHOLD: z.coerce.number().int().min(2).max(10_000).default(5),
  CONTRA_DETECT_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  CONTRA_AUDIT_QUEUE_URL: z.string().regex(fifoQueueUrlPattern, 'must be the URL of an SQS FIFO queue (ending in .fifo)').optional(),
  CONTRA_AUDIT_RELAY_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  CONTRA_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1000).default(5 * 60_000),
  CONTRA_RECONCILE_LAG_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  CONTRA_CONVERGE_URL: z.url({ protocol: /^https?$/ }).refine(isHttpsOrLoopback, 'must be an https URL (plain http only to 127.0.0.1 or localhost)').optional(),
  CONTRA_CONVERGE_MERCHANT_ID: z.string().regex(/^[0-9]{1,15}$/, 'must be the numeric Converge account id').optional(),
  CONTRA_CONVERGE_USER_ID: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'must be a Converge user id (letters, digits, _ . @ -)').optional(),
  CONTRA_CONVERGE_PIN: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'must be the alphanumeric Converge terminal PIN').optional(),
  CONTRA_RECONCILE_EOD_CRON: z.string().max(100).refine(isCronPattern, 'must be a cron expression such as "30 1 * * *"').default('30 1 * * *'),
});

/** Where and when backups go (B1): a folder by default, S3 when a bucket is named. */
export type BackupConfig = {
  readonly target: { readonly kind: 'folder'; readonly path: string } | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string; readonly endpoint: string | null };
  readonly cron: string;
  readonly timezone: string;
  /** Audit records younger than this wait for the next run (see write-backup.ts). */
  readonly settleMs: number;
};

export type ChannelName = 'log' | 'email' | 'sms' | 'push' | 'webhook';

/** Where notifications go (N1); a channel is usable only when its settings are present. */
export type NotificationConfig = {
  readonly intervalMs: number;
  readonly sendTimeoutMs: number;
  readonly logFile: string;
  readonly customerChannel: ChannelName;
  readonly operationsChannel: ChannelName;
  readonly operationsRecipient: string;
  readonly smtp: { readonly url: string; readonly from: string } | null;
  readonly webhookUrls: { readonly webhook: string | null; readonly sms: string | null; readonly push: string | null };
  readonly webhookSecret: string | null;
};

export type Config = {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly store: { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string } | DynamoDbStoreConfig;
  readonly adminToken: string | null;
  /** When set, GET /metrics asks for it as a bearer token (T4). */
  readonly metricsToken: string | null;
  readonly masterKeyFile: string;
  /** Seed 003's PAYMENT_KMS_KEY_ARN: when set, the AWS KMS key vault replaces the local one. */
  readonly kmsKeyArn: string | null;
  readonly logLevel: string;
  readonly processorTimeoutMs: number;
  readonly requeryDelayMs: number;
  readonly requeryAttemptsMax: number;
  readonly requeryIntervalMs: number;
  readonly checkpointIntervalMs: number;
  readonly bodyLimitBytes: number;
  readonly simulatorLatencyMs: number;
  readonly notifications: NotificationConfig;
  readonly backups: BackupConfig;
  readonly orphanGraceMs: number;
  readonly glitchWindowMs: number;
  readonly glitchBurstThreshold: number;
  readonly detectIntervalMs: number;
  /** The SQS FIFO queue of the ordered audit path (A4); null: the relay does not run. */
  readonly auditQueueUrl: string | null;
  readonly auditRelayIntervalMs: number;
  /** Real-time reconciliation (V6): how often, and how far behind now it stops. */
  readonly reconcileIntervalMs: number;
  readonly reconcileLagMs: number;
  /** The daily batch (end-of-day) reconciliation of yesterday, in Africa/Lagos time. */
  readonly reconcileEodCron: string;
  /** The Elavon Converge processor (P3), registered as `converge` only when configured. */
  readonly converge: ConvergeConfig | null;
};

/** Converge's XML endpoint and credentials; the credentials go in request bodies only, never in logs. */
export type ConvergeConfig = { readonly url: string; readonly merchantId: string; readonly userId: string; readonly pin: string };

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
    metricsToken: env.CONTRA_METRICS_TOKEN ?? null,
    masterKeyFile: resolve(env.CONTRA_MASTER_KEY_FILE ?? resolve(dataDir, 'master.key')),
    kmsKeyArn: env.PAYMENT_KMS_KEY_ARN ?? null,
    logLevel: env.CONTRA_LOG_LEVEL,
    processorTimeoutMs: env.CONTRA_PROCESSOR_TIMEOUT_MS,
    requeryDelayMs: env.CONTRA_REQUERY_DELAY_MS,
    requeryAttemptsMax: env.CONTRA_REQUERY_ATTEMPTS_MAX,
    requeryIntervalMs: env.CONTRA_REQUERY_INTERVAL_MS,
    checkpointIntervalMs: env.CONTRA_CHECKPOINT_INTERVAL_MS,
    bodyLimitBytes: env.CONTRA_BODY_LIMIT_BYTES,
    simulatorLatencyMs: env.CONTRA_SIMULATOR_LATENCY_MS,
    notifications: notificationConfig(env, dataDir),
    backups: {
      target: env.CONTRA_BACKUP_S3_BUCKET === undefined
        ? { kind: 'folder', path: resolve(env.CONTRA_BACKUP_DIR ?? resolve(dataDir, 'backups')) }
        : { kind: 's3', bucket: env.CONTRA_BACKUP_S3_BUCKET, prefix: env.CONTRA_BACKUP_S3_PREFIX, endpoint: env.CONTRA_BACKUP_S3_ENDPOINT ?? null },
      cron: env.CONTRA_BACKUP_CRON,
      timezone: env.CONTRA_BACKUP_TIMEZONE,
      settleMs: env.CONTRA_BACKUP_SETTLE_MS,
    },
    orphanGraceMs: env.CONTRA_ORPHAN_GRACE_MS,
    glitchWindowMs: env.CONTRA_GLITCH_WINDOW_MS,
    glitchBurstThreshold: env.CONTRA_GLITCH_BURST_THRESHOLD,
    detectIntervalMs: env.CONTRA_DETECT_INTERVAL_MS,
    auditQueueUrl: env.CONTRA_AUDIT_QUEUE_URL ?? null,
    auditRelayIntervalMs: env.CONTRA_AUDIT_RELAY_INTERVAL_MS,
    reconcileIntervalMs: env.CONTRA_RECONCILE_INTERVAL_MS,
    reconcileLagMs: env.CONTRA_RECONCILE_LAG_MS,
    reconcileEodCron: env.CONTRA_RECONCILE_EOD_CRON,
    converge: convergeConfig(env),
  };
}

const convergeVariables = ['CONTRA_CONVERGE_URL', 'CONTRA_CONVERGE_MERCHANT_ID', 'CONTRA_CONVERGE_USER_ID', 'CONTRA_CONVERGE_PIN'] as const;

/** All four Converge settings, or none: a partial set stops start-up naming what is missing. */
function convergeConfig(env: z.infer<typeof environmentSchema>): ConvergeConfig | null {
  const missing = convergeVariables.filter((name) => env[name] === undefined);
  if (missing.length === convergeVariables.length) return null;
  const { CONTRA_CONVERGE_URL: url, CONTRA_CONVERGE_MERCHANT_ID: merchantId, CONTRA_CONVERGE_USER_ID: userId, CONTRA_CONVERGE_PIN: pin } = env;
  if (url === undefined || merchantId === undefined || userId === undefined || pin === undefined) {
    throw new ConfigError(`configuration: the Converge processor needs ${missing.join(', ')} as well`);
  }
  return { url, merchantId, userId, pin };
}

function notificationConfig(env: z.infer<typeof environmentSchema>, dataDir: string): NotificationConfig {
  const config: NotificationConfig = {
    intervalMs: env.CONTRA_NOTIFY_INTERVAL_MS,
    sendTimeoutMs: env.CONTRA_NOTIFY_TIMEOUT_MS,
    logFile: env.CONTRA_NOTIFY_LOG_FILE === '-' ? '-' : resolve(env.CONTRA_NOTIFY_LOG_FILE ?? resolve(dataDir, 'notifications.ndjson')),
    customerChannel: env.CONTRA_NOTIFY_CUSTOMER_CHANNEL,
    operationsChannel: env.CONTRA_NOTIFY_OPERATIONS_CHANNEL,
    operationsRecipient: env.CONTRA_NOTIFY_OPERATIONS_TO,
    smtp: env.CONTRA_SMTP_URL === undefined ? null : { url: env.CONTRA_SMTP_URL, from: env.CONTRA_SMTP_FROM ?? 'Contra <notifications@localhost>' },
    webhookUrls: { webhook: env.CONTRA_WEBHOOK_URL ?? null, sms: env.CONTRA_SMS_WEBHOOK_URL ?? null, push: env.CONTRA_PUSH_WEBHOOK_URL ?? null },
    webhookSecret: env.CONTRA_WEBHOOK_SECRET ?? null,
  };
  for (const [audience, channel] of [['CUSTOMER', config.customerChannel], ['OPERATIONS', config.operationsChannel]] as const) {
    const missing = missingSetting(config, channel);
    if (missing !== null) throw new ConfigError(`configuration: CONTRA_NOTIFY_${audience}_CHANNEL=${channel} needs ${missing}`);
  }
  return config;
}

function missingSetting(config: NotificationConfig, channel: ChannelName): string | null {
  switch (channel) {
    case 'log':
      return null;
    case 'email':
      return config.smtp === null ? 'CONTRA_SMTP_URL' : null;
    case 'sms':
    case 'push':
    case 'webhook': {
      const variable = { webhook: 'CONTRA_WEBHOOK_URL', sms: 'CONTRA_SMS_WEBHOOK_URL', push: 'CONTRA_PUSH_WEBHOOK_URL' }[channel];
      if (config.webhookUrls[channel] === null) return variable;
      return config.webhookSecret === null ? 'CONTRA_WEBHOOK_SECRET' : null;
    }
  }
}

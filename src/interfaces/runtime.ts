// The composition root shared by the server, the CLI and Lambda: from one Config,
// wire the store, key vault, processors and clock into the use cases' Dependencies.
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { defaultAppSettings, type Dependencies } from '../app/dependencies.ts';
import { Authenticator } from '../app/access/authenticate.ts';
import { ensureBootstrapToken } from '../app/access/bootstrap.ts';
import type { Store } from '../app/ports/store.ts';
import type { Clock, IdGenerator } from '../app/ports/clock.ts';
import type { CardProcessor } from '../app/ports/card-processor.ts';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { OrderedQueue } from '../app/ports/ordered-queue.ts';
import { openLocalKeyVault } from '../adapters/key-vault/local/local-key-vault.ts';
import type { KeyVault } from '../app/ports/key-vault.ts';
import { SimulatorProcessor } from '../adapters/processors/simulator/simulator-processor.ts';
import { ConvergeProcessor } from '../adapters/processors/converge/converge-processor.ts';
import { withTimeout } from '../app/processor-timeout.ts';
import { convergeNormalizationTable } from '../domain/processors/converge-codes.ts';
import { simulatorNormalizationTable } from '../domain/processors/simulator-codes.ts';
import { nipNormalizationTable } from '../domain/interbank/nip-codes.ts';
import type { InterbankRail } from '../app/ports/interbank.ts';
import { interbankWithTimeout } from '../app/interbank-timeout.ts';
import { NipSimulator } from '../adapters/interbank/nip-simulator/nip-simulator.ts';
import { systemClock, ulidGenerator } from '../adapters/system/system-clock.ts';
import type { NotificationRouting } from '../app/ports/notification-channel.ts';
import { openNotificationRouting } from './notification-channels.ts';
import { openBackupTarget, type BackupTarget } from './backup-target.ts';
import { nigerianPublicHolidays } from '../adapters/holidays/nigerian-public-holidays.ts';
import type { PrometheusMetrics } from './metrics/prometheus-metrics.ts';
import { reportsBatches } from './metrics/batch-counts.ts';
import { instrumentStore, type StoreMetrics } from './metrics/instrument-store.ts';
import { instrumentRouting } from './metrics/instrument-notifications.ts';

export type Runtime = {
  readonly deps: Dependencies;
  /** Where the delivery job sends notifications (N1). */
  readonly notifications: NotificationRouting;
  /** Where backups go (B1). */
  readonly backups: BackupTarget;
  /** The ordered audit queue the relay publishes to (A4); null when none is configured. */
  readonly auditQueue: OrderedQueue | null;
  readonly authenticator: Authenticator;
  /** The Prometheus metrics the store and notification channels report to (T4), when given. */
  readonly metrics: PrometheusMetrics | null;
  close(): Promise<void>;
};

export type RuntimeOverrides = {
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  readonly processors?: readonly CardProcessor[];
  readonly interbank?: InterbankRail;
  /** The KMS client the KMS vault uses (the Lambda root passes one wrapped by its tracer). */
  readonly kmsClient?: KMSClient;
  /** The SQS client of the audit queue (the Lambda root passes one wrapped by its tracer). */
  readonly sqsClient?: SQSClient;
  /**
   * Whether a missing CONTRA_ADMIN_TOKEN generates one and prints it on stderr. Lambda says
   * no: its stderr is CloudWatch Logs, where a secret must never be written.
   */
  readonly generateBootstrapToken?: boolean;
  /** Count commits, status changes and notification sends here (`contra serve`; Lambda uses EMF). */
  readonly metrics?: PrometheusMetrics;
  /** Count commits and status changes here when `metrics` is not given (Lambda: CloudWatch embedded metrics). */
  readonly storeMetrics?: StoreMetrics;
};

/** The local vault over its key file, or AWS KMS when PAYMENT_KMS_KEY_ARN is set. */
async function openKeyVault(config: Config, clock: Clock, kmsClient: KMSClient | undefined): Promise<KeyVault> {
  if (config.kmsKeyArn === null) return openLocalKeyVault({ masterKeyFile: config.masterKeyFile, clock });
  // Loaded only when used, so the CLI and server on the local vault never load the AWS SDK.
  const [{ KMSClient }, { KmsKeyVault }] = await Promise.all([import('@aws-sdk/client-kms'), import('../adapters/key-vault/aws-kms/kms-key-vault.ts')]);
  // Region and credentials come from the standard AWS chain (AWS_REGION and the role in Lambda).
  return new KmsKeyVault({ client: kmsClient ?? new KMSClient({}), keyArn: config.kmsKeyArn, clock });
}

/** SQS FIFO when CONTRA_AUDIT_QUEUE_URL is set; loaded only then, like the other AWS adapters. */
async function openAuditQueue(config: Config, sqsClient: SQSClient | undefined): Promise<OrderedQueue | null> {
  if (config.auditQueueUrl === null) return null;
  const [{ SQSClient }, { SqsFifoQueue }] = await Promise.all([import('@aws-sdk/client-sqs'), import('../adapters/queue/sqs-fifo.ts')]);
  return new SqsFifoQueue({ client: sqsClient ?? new SQSClient({}), queueUrl: config.auditQueueUrl });
}

async function openStore(config: Config, clock: Clock): Promise<Store> {
  switch (config.store.kind) {
    case 'sqlite':
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      // Created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
      if (!existsSync(config.store.path)) closeSync(openSync(config.store.path, 'a', 0o600));
      // Store adapters are loaded when chosen, so a Lambda bundle can leave the native
      // better-sqlite3 module out and still start on another store.
      return (await import('../adapters/store/sqlite/sqlite-store.ts')).openSqliteStore({ path: config.store.path, clock });
    case 'postgres':
      return (await import('../adapters/store/postgres/postgres-store.ts')).openPostgresStore({ connectionString: config.store.url, clock });
    case 'dynamodb': {
      // Loaded only when selected: the AWS SDK is large and the other stores never need it.
      const [{ DynamoDBClient }, { openDynamoDbStore }] = await Promise.all([
        import('@aws-sdk/client-dynamodb'), import('../adapters/store/dynamodb/dynamodb-store.ts'),
      ]);
      // Credentials come from the SDK's default chain (environment, profile, role).
      const { region, endpoint, ledgerTable, auditTable } = config.store;
      const client = new DynamoDBClient({ region, ...(endpoint === null ? {} : { endpoint }) });
      return openDynamoDbStore({ client, tables: { ledger: ledgerTable, audit: auditTable }, clock });
    }
  }
}

export async function openRuntime(config: Config, logger: Logger, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const clock = overrides.clock ?? systemClock;
  const metrics = overrides.metrics ?? null;
  const openedStore = await openStore(config, clock);
  if (metrics !== null && reportsBatches(openedStore)) metrics.observeBatches(openedStore);
  const storeMetrics = metrics ?? overrides.storeMetrics ?? null;
  const store = storeMetrics === null ? openedStore : instrumentStore(openedStore, config.store.kind, storeMetrics);
  await store.migrate();
  const vault = await openKeyVault(config, clock, overrides.kmsClient);
  const processors = overrides.processors ?? [
    new SimulatorProcessor({ latencyMs: config.simulatorLatencyMs }),
    ...(config.converge === null ? [] : [new ConvergeProcessor(config.converge)]),
  ];
  const deps: Dependencies = {
    store,
    vault,
    clock,
    ids: overrides.ids ?? ulidGenerator(),
    processors: new Map(processors.map((processor) => [processor.processorId, withTimeout(processor, config.processorTimeoutMs)])),
    interbank: interbankWithTimeout(overrides.interbank ?? new NipSimulator({ latencyMs: config.simulatorLatencyMs }), config.processorTimeoutMs),
    normalization: new Map([...simulatorNormalizationTable, ...convergeNormalizationTable, ...nipNormalizationTable]),
    publicHolidays: nigerianPublicHolidays(),
    settings: {
      ...defaultAppSettings,
      processorTimeoutMs: config.processorTimeoutMs,
      requeryDelayMs: config.requeryDelayMs,
      requeryAttemptsMax: config.requeryAttemptsMax,
      orphanGraceMs: config.orphanGraceMs,
      glitchWindowMs: config.glitchWindowMs,
      glitchBurstThreshold: config.glitchBurstThreshold,
      reconciliationLagMs: config.reconcileLagMs,
    },
  };
  const authenticator = new Authenticator(deps);
  if (config.adminToken === null && overrides.generateBootstrapToken !== false) {
    const generated = await ensureBootstrapToken(deps);
    if (generated !== null) {
      // Printed once, on purpose: this is the only time the token exists in clear.
      process.stderr.write(`\nContra bootstrap admin token (shown once, store it safely):\n  ${generated}\n\n`);
    }
  } else if (config.adminToken !== null) {
    authenticator.useBootstrapToken(config.adminToken);
  }
  const notifications = openNotificationRouting(config.notifications);
  logger.debug({ store: config.store.kind, keyVault: config.kmsKeyArn === null ? 'local' : 'aws-kms' }, 'runtime opened');
  return {
    deps, authenticator, metrics, backups: openBackupTarget(config.backups),
    notifications: metrics === null ? notifications.routing : instrumentRouting(notifications.routing, metrics),
    auditQueue: await openAuditQueue(config, overrides.sqsClient),
    async close() {
      notifications.close();
      await store.close();
    },
  };
}

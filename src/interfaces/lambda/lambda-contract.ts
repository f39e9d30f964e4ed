// What the Lambda code and the infrastructure code (deploy/aws) must agree on: the entry
// file and handler names, the metric namespace and names, and the scheduled jobs. Plain
// data with no imports, so the CDK package can read it without loading the application.

/** The bundle entry, relative to the repository root. */
export const lambdaEntry = 'src/interfaces/lambda/handlers.ts';

export const lambdaHandlerNames = {
  http: 'http',
  refund: 'refund',
  requeryPayments: 'requeryPayments',
  requeryRefunds: 'requeryRefunds',
  requeryTransfers: 'requeryTransfers',
  detectFailures: 'detectFailures',
  escalateDisputes: 'escalateDisputes',
  deliverNotifications: 'deliverNotifications',
  sealAuditCheckpoints: 'sealAuditCheckpoints',
  backup: 'backup',
  relayAudit: 'relayAudit',
  /** The consumer of the SQS FIFO audit queue (an event source mapping, not a schedule). */
  auditQueueConsumer: 'auditQueueConsumer',
  reconcileRealTime: 'reconcileRealTime',
  reconcileEod: 'reconcileEod',
} as const;

/**
 * When a daily handler runs: a Lagos wall-clock time, the same as `contra serve`'s default
 * cron for that job (CONTRA_BACKUP_CRON `0 2 * * *`, CONTRA_RECONCILE_EOD_CRON `30 1 * * *`),
 * so a deployed stack's daily work happens at a known hour, not at the hour it was deployed.
 */
export type DailyAt = { readonly hour: number; readonly minute: number };

/** The scheduled handlers, the job each runs, and how often the deployed stack runs it. */
export const scheduledHandlers = [
  { handler: lambdaHandlerNames.requeryPayments, job: 'requery-payments', everyMinutes: 1 },
  { handler: lambdaHandlerNames.requeryRefunds, job: 'requery-refunds', everyMinutes: 1 },
  { handler: lambdaHandlerNames.requeryTransfers, job: 'requery-transfers', everyMinutes: 1 },
  { handler: lambdaHandlerNames.detectFailures, job: 'detect-failures', everyMinutes: 1 },
  { handler: lambdaHandlerNames.escalateDisputes, job: 'escalate-disputes', everyMinutes: 5 },
  // EventBridge schedules run at most once a minute; the standalone service delivers within a second.
  { handler: lambdaHandlerNames.deliverNotifications, job: 'deliver-notifications', everyMinutes: 1 },
  { handler: lambdaHandlerNames.sealAuditCheckpoints, job: 'seal-audit-checkpoints', everyMinutes: 5 },
  // Publishes committed audit records to the SQS FIFO audit queue (A4); the queue's consumer persists them in order.
  { handler: lambdaHandlerNames.relayAudit, job: 'relay-audit', everyMinutes: 1 },
  // Once a day at 02:00 Lagos time: each run takes only what is new since the last one (B1).
  { handler: lambdaHandlerNames.backup, job: 'backup', dailyAtLagos: { hour: 2, minute: 0 } },
  // Real-time reconciliation since each tenant's checkpoint, and yesterday's batch at 01:30 Lagos time (V6).
  { handler: lambdaHandlerNames.reconcileRealTime, job: 'reconcile-real-time', everyMinutes: 5 },
  { handler: lambdaHandlerNames.reconcileEod, job: 'reconcile-eod', dailyAtLagos: { hour: 1, minute: 30 } },
] as const satisfies readonly ({ handler: string; job: string } & ({ everyMinutes: number } | { dailyAtLagos: DailyAt }))[];

export const serviceName = 'contra';
/** CloudWatch namespace of the embedded metrics; every metric carries the `service` dimension. */
export const metricsNamespace = 'Contra';

export const metricNames = {
  httpRequest: 'HttpRequest',
  refundRequested: 'RefundRequested',
  refundSucceeded: 'RefundSucceeded',
  refundPending: 'RefundPending',
  /** Declined by the processor (502) or failed on our side (5xx): the refund failure rate's numerator. */
  refundFailed: 'RefundFailed',
  httpServerError: 'HttpServerError',
  /** Transfers that ended, counted from committed changesets (store-metrics.ts): the transfer failure rate. */
  transferSucceeded: 'TransferSucceeded',
  transferFailed: 'TransferFailed',
  /** Still unknown after the status-query limit, handed to a person. */
  transferEscalated: 'TransferEscalated',
  /** A commit that failed outright (not a conflict, which the use case retries). */
  storeCommitError: 'StoreCommitError',
  jobRun: 'JobRun',
  jobFailed: 'JobFailed',
  /**
   * Items a job run could not handle and left for the next run (its report's `errors`), and
   * notifications the delivery job moved to the dead letter (its report's `dead`); both
   * carry the `job` dimension besides `service`.
   */
  jobItemErrors: 'JobItemErrors',
  notificationDeadLettered: 'NotificationDeadLettered',
  /** An invocation of a scheduled handler by something other than its schedule. */
  jobRefused: 'JobRefused',
  /** Audit queue messages the consumer applied, acknowledged as duplicates, or handed back to the queue. */
  auditApplied: 'AuditExportApplied',
  auditDuplicate: 'AuditExportDuplicate',
  auditRetried: 'AuditExportRetried',
} as const;

/** The audit queue consumer: messages per invocation and its timeout (the queue's visibility timeout is longer). */
export const auditConsumerBatchSize = 10;
export const auditConsumerTimeoutSeconds = 60;

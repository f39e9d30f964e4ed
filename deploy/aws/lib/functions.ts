// The Lambda functions, all from the application's one entry (lambda-contract.ts): the
// HTTP API, the seed's Refund Processing Lambda and one function per scheduled job. Each
// gets the least it needs: its tables without Scan or DeleteItem (ledger and audit rows
// are never deleted), the payment key only through DynamoDB or under an encryption
// context that names a tenant and a purpose. Only the backup function touches the bucket:
// put, get and list there, with the payment key only through S3 (the bucket key). Only the
// audit relay sends to the audit FIFO queue, and only its consumer receives from it (A4),
// each with the payment key only through SQS.
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, EventSourceMapping, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  auditConsumerBatchSize, auditConsumerTimeoutSeconds, lambdaEntry, lambdaHandlerNames, scheduledHandlers,
} from '../../../src/interfaces/lambda/lambda-contract.ts';

export type ScheduledHandler = (typeof scheduledHandlers)[number];
import { assertLocalEsbuild, bundlingOptions, lockFile, repositoryRoot } from './bundling.ts';
import type { DataLayer } from './data-layer.ts';
import type { Storage } from './storage.ts';

/** API Gateway waits at most 29 s for an integration. */
export const httpTimeoutSeconds = 29;
export const jobTimeoutMinutes = 5;
/** The backup reads every tenant's new records: it gets the longest time Lambda allows. */
export const backupTimeoutMinutes = 15;
/** What the backup job does to the bucket: write backups, read the previous manifest and heads, list manifests. */
export const backupObjectActions = ['s3:PutObject', 's3:GetObject'] as const;
export const backupBucketActions = ['s3:ListBucket'] as const;
export const functionMemoryMb = 1024;
/** The relay sends (SendMessageBatch is authorized as SendMessage); the consumer's event source mapping receives and deletes. */
export const auditSendActions = ['sqs:SendMessage'] as const;
export const auditConsumeActions = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'] as const;

/** What the store adapter may do to a table: read, write with conditions; never Scan or DeleteItem. */
export const tableActions = [
  'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem',
  'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable',
] as const;

export type ScheduledFunction = { readonly job: string; readonly entry: ScheduledHandler; readonly fn: NodejsFunction };
export type Functions = {
  readonly http: NodejsFunction;
  readonly refund: NodejsFunction;
  readonly scheduled: readonly ScheduledFunction[];
  /** The consumer of the audit FIFO queue. */
  readonly auditConsumer: NodejsFunction;
};

function grantStore(fn: NodejsFunction, tables: readonly Table[], data: DataLayer): void {
  fn.addToRolePolicy(new PolicyStatement({
    actions: [...tableActions],
    resources: tables.flatMap((table) => [table.tableArn, `${table.tableArn}/index/*`]),
  }));
  // DynamoDB uses the table key on the caller's behalf, and only through DynamoDB.
  fn.addToRolePolicy(new PolicyStatement({
    actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:DescribeKey'],
    resources: [data.key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(fn).region}.amazonaws.com` } },
  }));
  // The key vault: data keys only under a context naming a tenant and a purpose.
  fn.addToRolePolicy(new PolicyStatement({
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: [data.key.keyArn],
    conditions: { Null: { 'kms:EncryptionContext:tenant_id': 'false', 'kms:EncryptionContext:purpose': 'false' } },
  }));
}

function grantBackups(fn: NodejsFunction, bucket: Bucket, data: DataLayer): void {
  fn.addToRolePolicy(new PolicyStatement({ actions: [...backupObjectActions], resources: [bucket.arnForObjects('*')] }));
  fn.addToRolePolicy(new PolicyStatement({ actions: [...backupBucketActions], resources: [bucket.bucketArn] }));
  // S3 encrypts and decrypts the objects with the payment key (SSE-KMS) on the caller's behalf, and only through S3.
  fn.addToRolePolicy(new PolicyStatement({
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: [data.key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(fn).region}.amazonaws.com` } },
  }));
}

/** SQS encrypts and decrypts the queue's messages with the payment key on the caller's behalf, and only through SQS. */
function grantQueueKey(fn: NodejsFunction, data: DataLayer, actions: readonly string[]): void {
  fn.addToRolePolicy(new PolicyStatement({
    actions: [...actions],
    resources: [data.key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(fn).region}.amazonaws.com` } },
  }));
}

function grantAuditSend(fn: NodejsFunction, queue: Queue, data: DataLayer): void {
  fn.addToRolePolicy(new PolicyStatement({ actions: [...auditSendActions], resources: [queue.queueArn] }));
  grantQueueKey(fn, data, ['kms:GenerateDataKey', 'kms:Decrypt']);
}

/** The consumer, fed by an event source mapping that reports partial batch failures. */
function createAuditConsumer(scope: Construct, fn: NodejsFunction, queue: Queue, data: DataLayer): void {
  fn.addToRolePolicy(new PolicyStatement({ actions: [...auditConsumeActions], resources: [queue.queueArn] }));
  grantQueueKey(fn, data, ['kms:Decrypt']);
  new EventSourceMapping(scope, 'AuditQueueConsumerEvents', {
    target: fn,
    eventSourceArn: queue.queueArn,
    batchSize: auditConsumerBatchSize,
    reportBatchItemFailures: true,
  });
}

export function createFunctions(scope: Construct, data: DataLayer, adminToken: Secret, storage: Storage): Functions {
  const { backupBucket, auditQueue } = storage;
  assertLocalEsbuild();
  const environment = {
    CONTRA_STORE: 'dynamodb',
    DYNAMODB_TABLE_NAME: data.ledgerTable.tableName,
    DYNAMODB_AUDIT_TABLE_NAME: data.auditTable.tableName,
    PAYMENT_KMS_KEY_ARN: data.key.keyArn,
    // A CloudFormation dynamic reference: resolved at deploy time, never in the template.
    CONTRA_ADMIN_TOKEN: adminToken.secretValue.unsafeUnwrap(),
    CONTRA_DATA_DIR: '/tmp/contra',
    CONTRA_LOG_LEVEL: 'info',
    NODE_OPTIONS: '--enable-source-maps',
  };
  const make = (id: string, handler: string, timeout: Duration, extraEnvironment: Record<string, string> = {}): NodejsFunction => {
    const fn = new NodejsFunction(scope, id, {
      entry: `${repositoryRoot}/${lambdaEntry}`,
      handler,
      projectRoot: repositoryRoot,
      depsLockFilePath: lockFile,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: functionMemoryMb,
      timeout,
      tracing: Tracing.ACTIVE,
      environment: { ...environment, ...extraEnvironment },
      bundling: bundlingOptions,
      logGroup: new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN }),
    });
    grantStore(fn, [data.ledgerTable, data.auditTable], data);
    return fn;
  };
  const auditConsumer = make('AuditQueueConsumerFunction', lambdaHandlerNames.auditQueueConsumer, Duration.seconds(auditConsumerTimeoutSeconds));
  createAuditConsumer(scope, auditConsumer, auditQueue, data);
  return {
    http: make('HttpApiFunction', lambdaHandlerNames.http, Duration.seconds(httpTimeoutSeconds)),
    refund: make('RefundFunction', lambdaHandlerNames.refund, Duration.seconds(httpTimeoutSeconds)),
    scheduled: scheduledHandlers.map((entry) => {
      const id = `Job${entry.handler.charAt(0).toUpperCase()}${entry.handler.slice(1)}Function`;
      if (entry.job === 'relay-audit') {
        const fn = make(id, entry.handler, Duration.minutes(jobTimeoutMinutes), { CONTRA_AUDIT_QUEUE_URL: auditQueue.queueUrl });
        grantAuditSend(fn, auditQueue, data);
        return { job: entry.job, entry, fn };
      }
      if (entry.job !== 'backup') return { job: entry.job, entry, fn: make(id, entry.handler, Duration.minutes(jobTimeoutMinutes)) };
      const fn = make(id, entry.handler, Duration.minutes(backupTimeoutMinutes), { CONTRA_BACKUP_S3_BUCKET: backupBucket.bucketName });
      grantBackups(fn, backupBucket, data);
      return { job: entry.job, entry, fn };
    }),
    auditConsumer,
  };
}

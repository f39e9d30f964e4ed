// What the stack keeps besides the tables: the backup bucket (versioned, encrypted with
// the payment key, lifecycle to colder storage, public access blocked, TLS only) and the
// SQS FIFO queue of the ordered audit path with its dead-letter queue.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, StorageClass } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/** Backups move to Glacier Instant Retrieval after this many days. */
export const backupColdAfterDays = 30;
/** Replaced or deleted backup versions are kept this long, then removed. */
export const backupNoncurrentVersionDays = 365;
/** Receives of one audit message before it moves to the dead-letter queue. */
export const auditMaxReceiveCount = 5;

export type Storage = { readonly backupBucket: Bucket; readonly auditQueue: Queue; readonly auditDeadLetterQueue: Queue };

export function createStorage(scope: Construct, key: Key): Storage {
  const backupBucket = new Bucket(scope, 'BackupBucket', {
    versioned: true,
    encryption: BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{
      id: 'backups-to-cold-storage',
      transitions: [{ storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(backupColdAfterDays) }],
      noncurrentVersionExpiration: Duration.days(backupNoncurrentVersionDays),
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    }],
  });
  const auditDeadLetterQueue = new Queue(scope, 'AuditDeadLetterQueue', {
    fifo: true,
    encryption: QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  const auditQueue = new Queue(scope, 'AuditQueue', {
    fifo: true,
    // Deduplication by the audit record id the producer sets, never by content.
    contentBasedDeduplication: false,
    encryption: QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    visibilityTimeout: Duration.minutes(6),
    retentionPeriod: Duration.days(14),
    deadLetterQueue: { queue: auditDeadLetterQueue, maxReceiveCount: auditMaxReceiveCount },
  });
  return { backupBucket, auditQueue, auditDeadLetterQueue };
}

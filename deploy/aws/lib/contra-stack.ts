// Contra on AWS as one stack: the payment key, the two tables, the Lambda functions behind
// API Gateway and EventBridge, the backup bucket, the audit FIFO queue and the alarms.
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { createAlarms } from './alarms.ts';
import { createDataLayer } from './data-layer.ts';
import { createHttpApi, createSchedules } from './entry-points.ts';
import { createFunctions } from './functions.ts';
import { createStorage } from './storage.ts';
import { defaultTableNames } from './table-design.ts';

export type ContraStackProps = StackProps & { readonly tableNames?: { readonly ledger: string; readonly audit: string } };

/** Characters of the generated bootstrap token (CONTRA_ADMIN_TOKEN needs at least 24). */
export const adminTokenLength = 48;

export class ContraStack extends Stack {
  constructor(scope: Construct, id: string, props: ContraStackProps = {}) {
    super(scope, id, props);
    const data = createDataLayer(this, props.tableNames ?? defaultTableNames);
    const storage = createStorage(this, data.key);
    const adminToken = new Secret(this, 'BootstrapToken', {
      description: 'Contra bootstrap admin token (CONTRA_ADMIN_TOKEN): creates tenants only',
      generateSecretString: { passwordLength: adminTokenLength, excludePunctuation: true },
    });
    const functions = createFunctions(this, data, adminToken, storage);
    const api = createHttpApi(this, functions);
    createSchedules(this, functions);
    const { topic } = createAlarms(this, data.key, functions, storage.auditDeadLetterQueue);
    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(this, 'PaymentKeyArn', { value: data.key.keyArn });
    new CfnOutput(this, 'BackupBucketName', { value: storage.backupBucket.bucketName });
    new CfnOutput(this, 'AuditQueueUrl', { value: storage.auditQueue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: topic.topicArn });
    new CfnOutput(this, 'BootstrapTokenSecretArn', { value: adminToken.secretArn });
  }
}

// Specification of the AWS stack, synthesized offline and read back as a CloudFormation
// template: what each resource must be, and what no function may be allowed to do.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { lambdaHandlerNames, metricNames, metricsNamespace, scheduledHandlers } from '../../../src/interfaces/lambda/lambda-contract.ts';
import { defaultTableNames, auditTableIndexes, ledgerTableIndexes, tableKeys } from '../lib/table-design.ts';
import { auditMaxReceiveCount } from '../lib/storage.ts';
import { auditConsumerBatchSize, auditConsumerTimeoutSeconds } from '../../../src/interfaces/lambda/lambda-contract.ts';
import { backupTimeoutMinutes } from '../lib/functions.ts';
import { refundFailureRatePercentMax, transferFailureRatePercentMax, transferRateSampleMin } from '../lib/alarms.ts';
import { resourcesOf, synthesize } from './support.ts';

const { template } = synthesize();
const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0] ?? 'missing';
const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };

describe('AWS stack: key and tables', () => {
  it('has one KMS key with yearly rotation, kept when the stack is deleted', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true, RotationPeriodInDays: 365 }, DeletionPolicy: 'Retain' });
  });

  for (const [name, indexes] of [[defaultTableNames.ledger, ledgerTableIndexes], [defaultTableNames.audit, auditTableIndexes]] as const) {
    it(`has the ${name} table: pk/sk strings, PITR, the payment key, its indexes, retained and protected`, () => {
      template.hasResource('AWS::DynamoDB::Table', {
        Properties: {
          TableName: name,
          KeySchema: [{ AttributeName: tableKeys.partitionKey, KeyType: 'HASH' }, { AttributeName: tableKeys.sortKey, KeyType: 'RANGE' }],
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
          DeletionProtectionEnabled: true,
          GlobalSecondaryIndexes: indexes.map((index) => Match.objectLike({
            IndexName: index.indexName,
            KeySchema: [{ AttributeName: index.partitionKey, KeyType: 'HASH' }, { AttributeName: index.sortKey, KeyType: 'RANGE' }],
            Projection: { ProjectionType: 'ALL' },
          })),
        },
        DeletionPolicy: 'Retain',
      });
    });
  }

  it('sets no TTL on the ledger or the audit trail', () => {
    const tables = resourcesOf(template, 'AWS::DynamoDB::Table');
    assert.equal(tables.length, 2);
    for (const [id, table] of tables) assert.equal(table.Properties['TimeToLiveSpecification'], undefined, id);
  });
});

describe('AWS stack: functions', () => {
  const functions = resourcesOf(template, 'AWS::Lambda::Function').filter(([, fn]) => typeof fn.Properties['Handler'] === 'string' && fn.Properties['Handler'].startsWith('index.'));

  it('has the HTTP API, refund, audit queue consumer and scheduled functions on nodejs22.x, traced, bundled from the application entry', () => {
    const handlers = functions.map(([, fn]) => fn.Properties['Handler']).sort();
    const expected = [lambdaHandlerNames.http, lambdaHandlerNames.refund, lambdaHandlerNames.auditQueueConsumer, ...scheduledHandlers.map((entry) => entry.handler)].map((name) => `index.${name}`).sort();
    assert.deepEqual(handlers, expected);
    for (const [id, fn] of functions) {
      assert.equal(fn.Properties['Runtime'], 'nodejs22.x', id);
      assert.deepEqual(fn.Properties['TracingConfig'], { Mode: 'Active' }, id);
    }
  });

  it('configures the DynamoDB store, the KMS vault and the bootstrap token from Secrets Manager, never in clear', () => {
    for (const [id, fn] of functions) {
      const variables = (fn.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
      assert.equal(variables['CONTRA_STORE'], 'dynamodb', id);
      assert.ok(variables['DYNAMODB_TABLE_NAME'] !== undefined && variables['DYNAMODB_AUDIT_TABLE_NAME'] !== undefined, id);
      assert.deepEqual(variables['PAYMENT_KMS_KEY_ARN'], keyArn, id);
      assert.match(JSON.stringify(variables['CONTRA_ADMIN_TOKEN']), /\{\{resolve:secretsmanager:/, id);
    }
  });

  it('tells the backup function, and only it, the backup bucket, with the longest Lambda timeout', () => {
    const bucketId = Object.keys(template.findResources('AWS::S3::Bucket'))[0] ?? 'missing';
    const withBucket = functions.filter(([, fn]) => (fn.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables['CONTRA_BACKUP_S3_BUCKET'] !== undefined);
    assert.deepEqual(withBucket.map(([, fn]) => fn.Properties['Handler']), [`index.${lambdaHandlerNames.backup}`]);
    const [, backupFunction] = withBucket[0] ?? ['', { Properties: {} }];
    assert.deepEqual((backupFunction.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables['CONTRA_BACKUP_S3_BUCKET'], { Ref: bucketId });
    assert.equal(backupFunction.Properties['Timeout'], backupTimeoutMinutes * 60);
  });
});

describe('AWS stack: API Gateway and schedules', () => {
  it('sends every route to the HTTP API function and the refund route to the refund function (payload 2.0), throttled', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /api/v1/payments/{transaction_id}/refunds' });
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 2);
    template.allResourcesProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default', AutoDeploy: true, DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() }),
    });
  });

  it('runs the backup and the end-of-day reconciliation once a day at their Lagos times (UTC cron: Lagos is UTC+1)', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 1 * * ? *)', Description: Match.stringLikeRegexp('backup') });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(30 0 * * ? *)', Description: Match.stringLikeRegexp('reconcile-eod') });
  });

  it('runs every frequent scheduled handler on its EventBridge rate', () => {
    const rules = resourcesOf(template, 'AWS::Events::Rule');
    assert.equal(rules.length, scheduledHandlers.length);
    for (const entry of scheduledHandlers) {
      if (!('everyMinutes' in entry)) continue;
      const expression = `rate(${entry.everyMinutes} ${entry.everyMinutes === 1 ? 'minute' : 'minutes'})`;
      template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: expression, State: 'ENABLED', Description: Match.stringLikeRegexp(entry.job) });
    }
  });
});

describe('AWS stack: backups and the audit queue', () => {
  const functions = resourcesOf(template, 'AWS::Lambda::Function').filter(([, fn]) => typeof fn.Properties['Handler'] === 'string' && fn.Properties['Handler'].startsWith('index.'));

  it('has a versioned backup bucket encrypted with the payment key, with a lifecycle, no public access, TLS only', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } })] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LifecycleConfiguration: { Rules: [Match.objectLike({ Status: 'Enabled', Transitions: Match.anyValue(), NoncurrentVersionExpiration: Match.anyValue() })] },
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('has a FIFO audit queue, deduplicated by id not content, with a FIFO dead-letter queue, both under the payment key', () => {
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.allResourcesProperties('AWS::SQS::Queue', { FifoQueue: true, KmsMasterKeyId: keyArn });
    template.hasResourceProperties('AWS::SQS::Queue', {
      ContentBasedDeduplication: false,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: auditMaxReceiveCount },
    });
  });

  const queueId = resourcesOf(template, 'AWS::SQS::Queue').find(([, queue]) => queue.Properties['RedrivePolicy'] !== undefined)?.[0] ?? 'missing';
  const functionIdOf = (handler: string) => functions.find(([, fn]) => fn.Properties['Handler'] === `index.${handler}`)?.[0] ?? 'missing';

  it('feeds the audit queue to its consumer in batches, reporting partial batch failures', () => {
    const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping');
    assert.equal(mappings.length, 1);
    assert.deepEqual(mappings[0]?.[1].Properties, {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: functionIdOf(lambdaHandlerNames.auditQueueConsumer) },
      BatchSize: auditConsumerBatchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const consumer = functions.find(([id]) => id === functionIdOf(lambdaHandlerNames.auditQueueConsumer))?.[1];
    assert.equal(consumer?.Properties['Timeout'], auditConsumerTimeoutSeconds);
    const visibility = resourcesOf(template, 'AWS::SQS::Queue').find(([id]) => id === queueId)?.[1].Properties['VisibilityTimeout'];
    assert.ok(typeof visibility === 'number' && visibility >= 6 * auditConsumerTimeoutSeconds, 'the visibility timeout is at least six times the consumer timeout');
  });

  it('gives the relay the queue URL, and no other function', () => {
    const relay = functions.find(([id]) => id === functionIdOf(lambdaHandlerNames.relayAudit))?.[1];
    assert.deepEqual((relay?.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables['CONTRA_AUDIT_QUEUE_URL'], { Ref: queueId });
    const others = functions.filter(([id]) => id !== functionIdOf(lambdaHandlerNames.relayAudit));
    for (const [id, fn] of others) assert.equal((fn.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables['CONTRA_AUDIT_QUEUE_URL'], undefined, id);
  });
});

describe('AWS stack: alarms', () => {
  it('alarms on the refund failure rate computed from the handlers\' EMF metrics', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: refundFailureRatePercentMax,
      AlarmActions: Match.anyValue(),
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: Match.stringLikeRegexp('100 \\* failed / requested') }),
        Match.objectLike({ Id: 'requested', MetricStat: Match.objectLike({ Metric: { Namespace: metricsNamespace, MetricName: metricNames.refundRequested, Dimensions: [{ Name: 'service', Value: 'contra' }] } }) }),
        Match.objectLike({ Id: 'failed', MetricStat: Match.objectLike({ Metric: { Namespace: metricsNamespace, MetricName: metricNames.refundFailed, Dimensions: [{ Name: 'service', Value: 'contra' }] } }) }),
      ]),
    });
  });

  it('alarms on the transfer failure rate (failed and escalated over all ended, gaps filled) and on failed commits', () => {
    const dimensions = [{ Name: 'service', Value: 'contra' }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: transferFailureRatePercentMax,
      AlarmActions: Match.anyValue(),
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: Match.stringLikeRegexp(`>= ${transferRateSampleMin}, 100 \\* \\(FILL\\(failed, 0\\) \\+ FILL\\(escalated, 0\\)\\)`) }),
        Match.objectLike({ Id: 'succeeded', MetricStat: Match.objectLike({ Period: 900, Metric: { Namespace: metricsNamespace, MetricName: metricNames.transferSucceeded, Dimensions: dimensions } }) }),
        Match.objectLike({ Id: 'failed', MetricStat: Match.objectLike({ Period: 900, Metric: { Namespace: metricsNamespace, MetricName: metricNames.transferFailed, Dimensions: dimensions } }) }),
        Match.objectLike({ Id: 'escalated', MetricStat: Match.objectLike({ Period: 900, Metric: { Namespace: metricsNamespace, MetricName: metricNames.transferEscalated, Dimensions: dimensions } }) }),
      ]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metricNames.storeCommitError, Namespace: metricsNamespace, Dimensions: dimensions, Threshold: 1, AlarmActions: Match.anyValue(),
    });
  });

  it('alarms on a notification moved to the dead letter and on items any scheduled job left undone', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metricNames.notificationDeadLettered, Namespace: metricsNamespace, Threshold: 1, AlarmActions: Match.anyValue(),
      Dimensions: Match.arrayWith([{ Name: 'job', Value: 'deliver-notifications' }]),
    });
    const itemAlarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(([, alarm]) => alarm.Properties['MetricName'] === metricNames.jobItemErrors);
    const jobsWatched = itemAlarms.map(([, alarm]) => (alarm.Properties['Dimensions'] as { Name: string; Value: string }[]).find((dimension) => dimension.Name === 'job')?.Value);
    assert.deepEqual(jobsWatched.sort(), scheduledHandlers.map((entry) => entry.job).sort());
  });

  it('alarms on any message in the audit dead-letter queue and on errors of every function', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 1, AlarmActions: Match.anyValue() });
    const errorAlarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(([, alarm]) => alarm.Properties['MetricName'] === 'Errors' && alarm.Properties['Namespace'] === 'AWS/Lambda');
    assert.equal(errorAlarms.length, 3 + scheduledHandlers.length);
    for (const [id, alarm] of errorAlarms) assert.ok(Array.isArray(alarm.Properties['AlarmActions']), id);
  });
});

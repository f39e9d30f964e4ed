// Specification of the functions' permissions: exactly the table actions the store needs
// (never Scan or DeleteItem: ledger and audit rows are never deleted), the payment key only
// through DynamoDB, S3 (the backup bucket's key) or under a tenant-and-purpose encryption
// context, no wildcards, and the backup bucket only to the backup function.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditConsumeActions, auditSendActions, backupBucketActions, backupObjectActions, tableActions } from '../lib/functions.ts';
import { resourcesOf, synthesize } from './support.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, string>> };

const { template } = synthesize();
const policies = resourcesOf(template, 'AWS::IAM::Policy').map(([, policy]) => {
  const document: { Statement: Statement[] } = policy.Properties['PolicyDocument'] as { Statement: Statement[] };
  return { roles: JSON.stringify(policy.Properties['Roles']), statements: document.Statement };
});
const statements: Statement[] = policies.flatMap((policy) => policy.statements);
const bucketId = Object.keys(template.findResources('AWS::S3::Bucket'))[0] ?? 'missing';
const actionsOf = (statement: Statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);

describe('AWS stack: least privilege', () => {
  it('grants no wildcard action and no wildcard resource for data services', () => {
    for (const statement of statements) {
      for (const action of actionsOf(statement)) {
        assert.ok(!/^(dynamodb|kms|s3|sqs):\*$/.test(action) && action !== '*', action);
      }
      if (actionsOf(statement).some((action) => /^(dynamodb|kms):/.test(action))) assert.notEqual(statement.Resource, '*', JSON.stringify(statement));
    }
  });

  it('never lets a function Scan, delete or batch-write table items', () => {
    const granted = new Set(statements.flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:')));
    assert.deepEqual([...granted].sort(), [...tableActions].sort());
  });

  it('lets functions use the payment key directly only under an encryption context with tenant and purpose, or through S3 or SQS', () => {
    const direct = statements.filter((statement) => actionsOf(statement).includes('kms:GenerateDataKey'));
    assert.ok(direct.length > 0);
    const throughS3 = { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } };
    const throughSqs = { StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } };
    for (const statement of direct) {
      if (JSON.stringify(statement.Condition) === JSON.stringify(throughS3) || JSON.stringify(statement.Condition) === JSON.stringify(throughSqs)) continue;
      assert.deepEqual(statement.Condition, { Null: { 'kms:EncryptionContext:tenant_id': 'false', 'kms:EncryptionContext:purpose': 'false' } });
    }
    assert.equal(direct.filter((statement) => JSON.stringify(statement.Condition) === JSON.stringify(throughS3)).length, 1);
    const viaDynamo = statements.filter((statement) => actionsOf(statement).includes('kms:Encrypt'));
    for (const statement of viaDynamo) assert.deepEqual(statement.Condition, { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } });
  });

  it('lets only the relay send to the audit queue and only its consumer receive, each with the key only through SQS', () => {
    const queueId = resourcesOf(template, 'AWS::SQS::Queue').find(([, queue]) => queue.Properties['RedrivePolicy'] !== undefined)?.[0] ?? 'missing';
    const queueArn = { 'Fn::GetAtt': [queueId, 'Arn'] };
    const throughSqs = { StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } };
    const withSqs = policies.filter((policy) => policy.statements.some((statement) => actionsOf(statement).some((action) => action.startsWith('sqs:'))));
    assert.equal(withSqs.length, 2);
    const sqsStatementsOf = (pattern: RegExp) => {
      const policy = withSqs.find((candidate) => pattern.test(candidate.roles));
      assert.ok(policy !== undefined, String(pattern));
      return policy.statements;
    };
    const relay = sqsStatementsOf(/JobRelayAuditFunction/);
    const consumer = sqsStatementsOf(/AuditQueueConsumerFunction/);
    for (const [granted, actions, keyActions] of [[relay, auditSendActions, ['kms:Decrypt', 'kms:GenerateDataKey']], [consumer, auditConsumeActions, ['kms:Decrypt']]] as const) {
      const queueStatements = granted.filter((statement) => actionsOf(statement).some((action) => action.startsWith('sqs:')));
      assert.deepEqual(queueStatements.map((statement) => [actionsOf(statement).sort(), statement.Resource]), [[[...actions].sort(), queueArn]]);
      const viaSqs = granted.filter((statement) => JSON.stringify(statement.Condition) === JSON.stringify(throughSqs));
      assert.deepEqual(viaSqs.map((statement) => actionsOf(statement).sort()), [[...keyActions]]);
    }
  });

  it('lets only the backup function put, get and list in the backup bucket, and nothing else of S3', () => {
    const s3Statements = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')));
    assert.deepEqual(s3Statements.map((statement) => actionsOf(statement).sort()), [[...backupObjectActions].sort(), [...backupBucketActions]]);
    assert.deepEqual(s3Statements[0]?.Resource, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] });
    assert.deepEqual(s3Statements[1]?.Resource, { 'Fn::GetAtt': [bucketId, 'Arn'] });
    const withS3 = policies.filter((policy) => policy.statements.some((statement) => actionsOf(statement).some((action) => action.startsWith('s3:'))));
    assert.equal(withS3.length, 1);
    assert.match(withS3[0]?.roles ?? '', /JobBackupFunction/);
  });
});

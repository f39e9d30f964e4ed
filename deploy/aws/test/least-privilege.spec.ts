// Specification of the functions' permissions: exactly the table actions the store needs
// (never Scan or DeleteItem: ledger and audit rows are never deleted), the payment key only
// through DynamoDB or under a tenant-and-purpose encryption context, and no wildcards.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tableActions } from '../lib/functions.ts';
import { resourcesOf, synthesize } from './support.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, string>> };

const { template } = synthesize();
const statements: Statement[] = resourcesOf(template, 'AWS::IAM::Policy').flatMap(([, policy]) => {
  const document: { Statement: Statement[] } = policy.Properties['PolicyDocument'] as { Statement: Statement[] };
  return document.Statement;
});
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

  it('lets functions use the payment key directly only under an encryption context with tenant and purpose', () => {
    const direct = statements.filter((statement) => actionsOf(statement).includes('kms:GenerateDataKey'));
    assert.ok(direct.length > 0);
    for (const statement of direct) {
      assert.deepEqual(statement.Condition, { Null: { 'kms:EncryptionContext:tenant_id': 'false', 'kms:EncryptionContext:purpose': 'false' } });
    }
    const viaDynamo = statements.filter((statement) => actionsOf(statement).includes('kms:Encrypt'));
    for (const statement of viaDynamo) assert.deepEqual(statement.Condition, { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } });
  });

  it('gives the functions nothing of the backup bucket or the audit queue yet', () => {
    const granted = statements.flatMap(actionsOf);
    assert.ok(!granted.some((action) => action.startsWith('s3:') || action.startsWith('sqs:')), granted.join(', '));
  });
});

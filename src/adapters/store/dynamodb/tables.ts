// Creating the two tables (PaymentLedger, PaymentAuditTrail) with their keys and GSIs;
// `migrate` runs this and waits until both are active. Safe to run concurrently.
import {
  CreateTableCommand, DescribeTableCommand, ResourceInUseException, ResourceNotFoundException, type DynamoDBClient, type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import type { IndexName } from './keys.ts';
import { auditIndexes, ledgerIndexes } from './keys.ts';

export type TableNames = { readonly ledger: string; readonly audit: string };

const tableActiveWaitMs = 60_000;
const tablePollMs = 200;

function globalIndex(name: IndexName): GlobalSecondaryIndex {
  return {
    IndexName: name,
    KeySchema: [{ AttributeName: `${name}pk`, KeyType: 'HASH' }, { AttributeName: `${name}sk`, KeyType: 'RANGE' }],
    Projection: { ProjectionType: 'ALL' },
  };
}

async function exists(client: DynamoDBClient, name: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

/** Only a missing table is created: deployed tables (deploy/aws) need no CreateTable permission. */
async function createTable(client: DynamoDBClient, name: string, indexes: readonly IndexName[]): Promise<void> {
  if (await exists(client, name)) return;
  try {
    await client.send(new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: ['pk', 'sk', ...indexes.flatMap((index) => [`${index}pk`, `${index}sk`])]
        .map((attribute) => ({ AttributeName: attribute, AttributeType: 'S' })),
      GlobalSecondaryIndexes: indexes.map(globalIndex),
    }));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

async function waitUntilActive(client: DynamoDBClient, name: string): Promise<void> {
  const deadline = Date.now() + tableActiveWaitMs;
  for (;;) {
    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: name }));
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) throw new Error(`DynamoDB table ${name} is not active after ${tableActiveWaitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, tablePollMs));
  }
}

/** Creates the ledger and audit tables when missing (on-demand capacity) and waits for them. */
export async function createTables(client: DynamoDBClient, tables: TableNames): Promise<void> {
  await Promise.all([createTable(client, tables.ledger, ledgerIndexes), createTable(client, tables.audit, auditIndexes)]);
  await Promise.all([waitUntilActive(client, tables.ledger), waitUntilActive(client, tables.audit)]);
}

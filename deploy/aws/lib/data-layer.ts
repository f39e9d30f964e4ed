// The data layer: the KMS key (rotated yearly) that encrypts everything the stack stores,
// and the seeds' two DynamoDB tables, PaymentLedger and PaymentAuditTrail: on-demand,
// point-in-time recovery, encrypted with that key, retained on stack deletion, and with
// no TTL attribute, since ledger and audit rows must never expire.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { auditTableIndexes, ledgerTableIndexes, tableKeys, type IndexDesign } from './table-design.ts';

/** KMS rotates the key material yearly; old material stays to decrypt old data keys. */
export const keyRotationPeriodDays = 365;

export type DataLayer = { readonly key: Key; readonly ledgerTable: Table; readonly auditTable: Table };

function table(scope: Construct, id: string, tableName: string, key: Key, indexes: readonly IndexDesign[]): Table {
  const created = new Table(scope, id, {
    tableName,
    partitionKey: { name: tableKeys.partitionKey, type: AttributeType.STRING },
    sortKey: { name: tableKeys.sortKey, type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const index of indexes) {
    created.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
      sortKey: { name: index.sortKey, type: AttributeType.STRING },
    });
  }
  return created;
}

export function createDataLayer(scope: Construct, tableNames: { readonly ledger: string; readonly audit: string }): DataLayer {
  const key = new Key(scope, 'PaymentKey', {
    alias: 'alias/contra-payments',
    description: 'Contra: SecureTokens, audit details, processor replies (PAYMENT_KMS_KEY_ARN), tables, backups and queues',
    enableKeyRotation: true,
    rotationPeriod: Duration.days(keyRotationPeriodDays),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return {
    key,
    ledgerTable: table(scope, 'PaymentLedger', tableNames.ledger, key, ledgerTableIndexes),
    auditTable: table(scope, 'PaymentAuditTrail', tableNames.audit, key, auditTableIndexes),
  };
}

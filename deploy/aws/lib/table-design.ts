// The key names of the two DynamoDB tables, kept in one place for the stack and its tests.
// The base keys (pk, sk strings) are fixed; the global secondary indexes are the DynamoDB
// store's own (src/adapters/store/dynamodb/keys.ts, docs/operating/dynamodb.md): overloaded
// `gsiNpk`/`gsiNsk` string pairs projecting every attribute, three on the ledger table and
// four on the audit table. Deriving them from the store means a deployed table always has
// every index the store queries.
import { auditIndexes, ledgerIndexes, type IndexName } from '../../../src/adapters/store/dynamodb/keys.ts';

export const tableKeys = { partitionKey: 'pk', sortKey: 'sk' } as const;

export type IndexDesign = { readonly indexName: string; readonly partitionKey: string; readonly sortKey: string };

function design(name: IndexName): IndexDesign {
  return { indexName: name, partitionKey: `${name}pk`, sortKey: `${name}sk` };
}

/** The ledger table's indexes, as the DynamoDB store queries them. */
export const ledgerTableIndexes: readonly IndexDesign[] = ledgerIndexes.map(design);

/** The audit table's indexes, as the DynamoDB store queries them. */
export const auditTableIndexes: readonly IndexDesign[] = auditIndexes.map(design);

/** The seeds' table names (DYNAMODB_TABLE_NAME, DYNAMODB_AUDIT_TABLE_NAME). */
export const defaultTableNames = { ledger: 'PaymentLedger', audit: 'PaymentAuditTrail' } as const;

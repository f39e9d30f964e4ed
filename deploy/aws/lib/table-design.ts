// The key names of the two DynamoDB tables, kept in one place for the stack and its tests.
// The base keys (pk, sk strings) are fixed. The global secondary indexes below are a
// PLACEHOLDER set: the DynamoDB store's table design (audit search, failure detection)
// decides the real ones, and replaces these entries when it lands.

export const tableKeys = { partitionKey: 'pk', sortKey: 'sk' } as const;

export type IndexDesign = { readonly indexName: string; readonly partitionKey: string; readonly sortKey: string };

/** PLACEHOLDER: one generic overloaded index, until the DynamoDB store's design names its own. */
export const placeholderLedgerIndexes: readonly IndexDesign[] = [
  { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
];

/** PLACEHOLDER: one generic overloaded index, until the DynamoDB store's design names its own. */
export const placeholderAuditIndexes: readonly IndexDesign[] = [
  { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
];

/** The seeds' table names (DYNAMODB_TABLE_NAME, DYNAMODB_AUDIT_TABLE_NAME). */
export const defaultTableNames = { ledger: 'PaymentLedger', audit: 'PaymentAuditTrail' } as const;

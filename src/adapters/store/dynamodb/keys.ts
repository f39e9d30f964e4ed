// The key design of the two DynamoDB tables (docs/operating/dynamodb.md): partition and
// sort keys of every item kind, the overloaded GSIs, and fixed-width numbers so that
// string sort keys sort like the numbers they carry.
import type { TenantId } from '../../../domain/ids.ts';

/** Overloaded GSIs of both tables; each item kind says what it puts in them. */
export const indexNames = ['gsi1', 'gsi2', 'gsi3', 'gsi4'] as const;
export type IndexName = (typeof indexNames)[number];
/** The GSIs of each table: the ledger table uses three, the audit table four. */
export const ledgerIndexes: readonly IndexName[] = ['gsi1', 'gsi2', 'gsi3'];
export const auditIndexes: readonly IndexName[] = ['gsi1', 'gsi2', 'gsi3', 'gsi4'];

/** Balance items of an account that allows a negative balance; deltas go to one at random. */
export const balanceShardsCount = 16;
/** Shard sort keys carry two digits; reads sum whatever shards exist. */
export const balanceShardsMax = 99;

/** Digits of fixed-width numbers in sort keys: times in ms (15), sequences (20), positions (12). */
const timeDigits = 15;
const sequenceDigits = 20;
const positionDigits = 12;

/** Every key part is escaped, so an id holding `#` can never read as two parts. */
function key(...parts: readonly string[]): string {
  return parts.map((part) => encodeURIComponent(part)).join('#');
}

export function padTime(ms: number): string {
  return ms.toString().padStart(timeDigits, '0');
}
export function padSequence(sequence: bigint): string {
  return sequence.toString().padStart(sequenceDigits, '0');
}
export function padPosition(position: number): string {
  return position.toString().padStart(positionDigits, '0');
}

export const ledgerKeys = {
  tenants: () => 'TENANTS',
  account: (tenantId: TenantId, accountId: string) => key('T', tenantId, 'A', accountId),
  accountDefinitionSort: 'DEF',
  accountShardSort: (shard: number) => `SHARD#${shard.toString().padStart(2, '0')}`,
  accountShardPrefix: 'SHARD#',
  accounts: (tenantId: TenantId) => key('T', tenantId, 'ACCOUNTS'),
  transfer: (tenantId: TenantId, transferId: string) => key('T', tenantId, 'X', transferId),
  transferSort: 'TRANSFER',
  resolutionSort: 'RESOLVED',
  transferOrder: (sequence: bigint, transferId: string) => `${padSequence(sequence)}#${encodeURIComponent(transferId)}`,
  transaction: (tenantId: TenantId, transactionId: string) => key('T', tenantId, 'TX', transactionId),
  record: (tenantId: TenantId, kind: string, id: string) => key('T', tenantId, 'R', kind, id),
  recordSort: 'RECORD',
  recordsOfKind: (tenantId: TenantId, kind: string) => key('T', tenantId, 'K', kind),
  recordsOfIndexKey: (tenantId: TenantId, kind: string, indexKey: string) => key('T', tenantId, 'K', kind, 'I', indexKey),
  recordOrder: (createdAt: number, id: string) => `${padTime(createdAt)}#${encodeURIComponent(id)}`,
  ledgerEntries: (tenantId: TenantId, transactionId: string) => key('T', tenantId, 'L', transactionId),
  outbox: (tenantId: TenantId, id: string) => key('T', tenantId, 'O', id),
  outboxSort: 'OUTBOX',
  outboxQueue: (tenantId: TenantId) => key('T', tenantId, 'OUTBOX'),
} as const;

export const auditKeys = {
  stream: (tenantId: TenantId, stream: string) => key('T', tenantId, 'S', stream),
  heads: (tenantId: TenantId) => key('T', tenantId, 'HEADS'),
  checkpoints: (tenantId: TenantId) => key('T', tenantId, 'CHECKPOINTS'),
  checkpointHeads: (tenantId: TenantId, sequence: number, attempt: string) => key('T', tenantId, 'CP', padPosition(sequence), attempt),
  byTenant: (tenantId: TenantId) => key('T', tenantId, 'AUDIT'),
  byTransaction: (tenantId: TenantId, transactionId: string) => key('T', tenantId, 'TX', transactionId),
  byInitiator: (tenantId: TenantId, initiator: string) => key('T', tenantId, 'I', initiator),
  byAction: (tenantId: TenantId, action: string) => key('T', tenantId, 'ACT', action),
  /** Oldest first by the action's time, ties in commit position, then id. */
  order: (at: number, position: bigint, id: string) => `${padTime(at)}#${padSequence(position)}#${encodeURIComponent(id)}`,
} as const;

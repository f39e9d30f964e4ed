// The audit table: stream heads, checkpoints (a header item written last, over head items
// written first, so a checkpoint exists only when complete), the verification scan and
// search by transaction, initiator, action and time.
import { randomUUID } from 'node:crypto';
import { BatchWriteItemCommand, PutItemCommand, ConditionalCheckFailedException, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { pageSizeMax, type AuditFilter, type Page, type PageRequest } from '../../../app/ports/store.ts';
import { compareStreams, sealCheckpoint, type AuditCheckpoint, type AuditRecord, type AuditStreamHead } from '../../../domain/audit/audit-record.ts';
import type { TenantId } from '../../../domain/ids.ts';
import { checkpointFromRow } from '../rows/audit-codecs.ts';
import { bigintAttribute, num, text, textAttribute, type Item } from './attributes.ts';
import { auditRecordOf } from './items.ts';
import { auditKeys, ledgerKeys, padPosition, padTime, type IndexName } from './keys.ts';
import { queryItems, queryPage, type PartitionQuery } from './query.ts';
import type { Reader } from './journal-reads.ts';

/** DynamoDB's limit on the requests of one BatchWriteItem call. */
const batchWriteItemsMax = 25;
const sealAttemptsMax = 16;

function headOf(item: Item): AuditStreamHead {
  return { stream: textAttribute(item, 'stream'), sequence: Number(bigintAttribute(item, 'sequence')), hash: textAttribute(item, 'hash') };
}

function byStream(heads: AuditStreamHead[]): AuditStreamHead[] {
  return heads.sort((a, b) => compareStreams(a.stream, b.stream));
}

export async function auditHeads(reader: Reader, tenantId: TenantId): Promise<readonly AuditStreamHead[]> {
  const items = await queryItems(reader.client, { table: reader.tables.audit, partition: auditKeys.heads(tenantId), consistent: true });
  return byStream(items.map(headOf));
}

export async function latestCheckpoint(reader: Reader, tenantId: TenantId): Promise<AuditCheckpoint | null> {
  const [header] = await queryItems(reader.client, { table: reader.tables.audit, partition: auditKeys.checkpoints(tenantId), consistent: true, descending: true }, 1);
  return header === undefined ? null : checkpointOf(reader, tenantId, header);
}

/** Oldest first, after a sequence: the headers in order, each with the heads of its attempt. */
export async function listCheckpoints(reader: Reader, tenantId: TenantId, afterSequence: number, limit: number): Promise<AuditCheckpoint[]> {
  const headers = await queryItems(reader.client, {
    table: reader.tables.audit, partition: auditKeys.checkpoints(tenantId), consistent: true, sort: { greaterThan: padPosition(afterSequence) },
  }, Math.min(limit, pageSizeMax));
  const checkpoints: AuditCheckpoint[] = [];
  for (const header of headers) checkpoints.push(await checkpointOf(reader, tenantId, header));
  return checkpoints;
}

async function checkpointOf(reader: Reader, tenantId: TenantId, header: Item): Promise<AuditCheckpoint> {
  const sequence = Number(bigintAttribute(header, 'sequence'));
  const heads = await queryItems(reader.client, {
    table: reader.tables.audit, partition: auditKeys.checkpointHeads(tenantId, sequence, textAttribute(header, 'attempt')), consistent: true,
  });
  return checkpointFromRow({
    tenant_id: tenantId, sequence: BigInt(sequence), at: bigintAttribute(header, 'at'), heads_hash: textAttribute(header, 'heads_hash'),
    heads: JSON.stringify(byStream(heads.map(headOf))), stream_count: bigintAttribute(header, 'stream_count'),
    record_count: bigintAttribute(header, 'record_count'), previous_hash: textAttribute(header, 'previous_hash'), hash: textAttribute(header, 'hash'),
  });
}

async function writeHeads(reader: Reader, partition: string, heads: readonly AuditStreamHead[]): Promise<void> {
  for (let start = 0; start < heads.length; start += batchWriteItemsMax) {
    let requests: WriteRequest[] = heads.slice(start, start + batchWriteItemsMax).map((head) => ({
      PutRequest: { Item: { pk: text(partition), sk: text(head.stream), stream: text(head.stream), sequence: num(head.sequence), hash: text(head.hash) } },
    }));
    while (requests.length > 0) {
      const output = await reader.client.send(new BatchWriteItemCommand({ RequestItems: { [reader.tables.audit]: requests } }));
      requests = output.UnprocessedItems?.[reader.tables.audit] ?? [];
    }
  }
}

/**
 * Seals the heads as read now. The heads go first under an attempt id of their own; the
 * header, written last on condition that its sequence is free, makes the checkpoint real.
 */
export async function sealAuditCheckpoint(reader: Reader, tenantId: TenantId, at: number): Promise<AuditCheckpoint> {
  for (let attempt = 1; ; attempt++) {
    const previous = await latestCheckpoint(reader, tenantId);
    const checkpoint = sealCheckpoint(tenantId, at, await auditHeads(reader, tenantId), previous);
    const attemptId = randomUUID();
    await writeHeads(reader, auditKeys.checkpointHeads(tenantId, checkpoint.sequence, attemptId), checkpoint.heads);
    try {
      await reader.client.send(new PutItemCommand({
        TableName: reader.tables.audit,
        Item: {
          pk: text(auditKeys.checkpoints(tenantId)), sk: text(padPosition(checkpoint.sequence)), attempt: text(attemptId),
          tenant_id: text(tenantId), sequence: num(checkpoint.sequence), at: num(checkpoint.at), heads_hash: text(checkpoint.headsHash),
          stream_count: num(checkpoint.streamCount), record_count: num(checkpoint.recordCount),
          previous_hash: text(checkpoint.previousHash), hash: text(checkpoint.hash),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      await reader.client.send(new PutItemCommand({ TableName: reader.tables.ledger, Item: { pk: text(ledgerKeys.tenants()), sk: text(tenantId), tenant_id: text(tenantId) } }));
      return checkpoint;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || attempt >= sealAttemptsMax) throw error;
    }
  }
}

/**
 * Checkpoint, then heads, then each stream's records up to its head: every record read
 * was committed with (or before) the head that covers it, so concurrent appends beyond
 * the heads read are simply not part of this scan.
 */
export async function scanAudit(reader: Reader, tenantId: TenantId, begin: (checkpoint: AuditCheckpoint | null) => (record: AuditRecord) => void): Promise<readonly AuditStreamHead[]> {
  const visit = begin(await latestCheckpoint(reader, tenantId));
  const heads = await auditHeads(reader, tenantId);
  for (const head of heads) {
    const records = await queryItems(reader.client, {
      table: reader.tables.audit, partition: auditKeys.stream(tenantId, head.stream), consistent: true,
      sort: { between: [padPosition(1), padPosition(head.sequence)] },
    });
    for (const item of records) visit(auditRecordOf(item));
  }
  return heads;
}

/** One stream's records after a sequence: its own partition, sorted by position. */
export async function listAuditStream(reader: Reader, tenantId: TenantId, stream: string, afterSequence: number, limit: number): Promise<AuditRecord[]> {
  const items = await queryItems(reader.client, {
    table: reader.tables.audit, partition: auditKeys.stream(tenantId, stream), consistent: true, sort: { greaterThan: padPosition(afterSequence) },
  }, Math.min(limit, pageSizeMax));
  return items.map(auditRecordOf);
}

/** The most selective index the filter allows; the other conditions become a filter expression. */
function auditQuery(reader: Reader, tenantId: TenantId, filter: AuditFilter): PartitionQuery {
  const [index, partition]: [IndexName, string] = filter.transactionId !== undefined ? ['gsi2', auditKeys.byTransaction(tenantId, filter.transactionId)]
    : filter.initiator !== undefined ? ['gsi3', auditKeys.byInitiator(tenantId, filter.initiator)]
      : filter.action !== undefined ? ['gsi4', auditKeys.byAction(tenantId, filter.action)]
        : ['gsi1', auditKeys.byTenant(tenantId)];
  const conditions: string[] = [];
  const names: Record<string, string> = {};
  const values: Item = {};
  if (index !== 'gsi3' && filter.initiator !== undefined) {
    conditions.push('#finitiator = :finitiator');
    names['#finitiator'] = 'initiator';
    values[':finitiator'] = text(filter.initiator);
  }
  if (index !== 'gsi4' && filter.action !== undefined) {
    conditions.push('#faction = :faction');
    names['#faction'] = 'action';
    values[':faction'] = text(filter.action);
  }
  const from = filter.fromAt ?? 0;
  const to = filter.toAt;
  const timed = filter.fromAt !== undefined || to !== undefined;
  return {
    table: reader.tables.audit, index, partition,
    ...(timed ? { sort: { between: [padTime(from), to === undefined ? '~' : padTime(to + 1)] as const } } : {}),
    ...(conditions.length === 0 ? {} : { filter: { expression: conditions.join(' AND '), names, values } }),
  };
}

export async function listAudit(reader: Reader, tenantId: TenantId, filter: AuditFilter, request: PageRequest): Promise<Page<AuditRecord>> {
  const page = await queryPage(reader.client, auditQuery(reader, tenantId, filter), request);
  return { items: page.items.map(auditRecordOf), nextCursor: page.nextCursor };
}

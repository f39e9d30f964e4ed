// Turns a changeset into the items of ONE TransactWriteItems call: every expected version,
// uniqueness, hold resolution and balance limit as a condition expression. What can be
// decided from immutable data read before (accounts exist, currencies, holds) is decided
// here; what can change concurrently is left to the conditions.
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { Changeset, Conflict, RecordWrite } from '../../../app/ports/store.ts';
import { chainAuditRecord, type AuditRecord } from '../../../domain/audit/audit-record.ts';
import type { AccountId, TransferId } from '../../../domain/ids.ts';
import { zeroBalances, type AccountDefinition } from '../../../domain/journal/accounts.ts';
import { balanceDeltas, resolvesPending, type TransferWrite } from '../../../domain/journal/transfers.ts';
import { num, text, type Item } from './attributes.ts';
import { breaksFromZero, headroomOf, Movements, type AccountMovement } from './balances.ts';
import {
  accountItem, auditItem, balanceAttributes, ledgerEntryItem, outboxItem, recordItem, resolutionItem, transferItem,
} from './items.ts';
import { auditKeys, ledgerKeys } from './keys.ts';
import type { TableNames } from './tables.ts';

/** DynamoDB's limit on the items of one TransactWriteItems call. */
export const transactItemsMax = 100;

/** A changeset whose items exceed one DynamoDB transaction; like a changeset over a port limit, a bug upstream. */
export class TransactionTooLargeError extends Error {
  override readonly name = 'TransactionTooLargeError';
}

/** What a failed condition on an item means: a conflict, or that the audit head moved (read again). */
export type Outcome = Conflict | 'retry';

export type CommitState = {
  /** Definitions of the existing accounts the transfers name (immutable once created). */
  readonly accounts: ReadonlyMap<AccountId, AccountDefinition>;
  /** Existing pending transfers that posts and voids name (immutable). */
  readonly pendings: ReadonlyMap<TransferId, TransferWrite>;
  /** The head of every audit stream the changeset appends to, null for a new stream. */
  readonly heads: ReadonlyMap<string, { readonly sequence: number; readonly hash: string } | null>;
};

export type CommitPlan = { readonly items: TransactWriteItem[]; readonly outcomes: Outcome[]; readonly audit: readonly AuditRecord[] };

export type PlanInput = {
  readonly changeset: Changeset;
  readonly state: CommitState;
  readonly tables: TableNames;
  readonly committedAt: number;
  /** The first sequence (transfers) and position (audit) of this commit; each item adds its index. */
  readonly sequenceBase: bigint;
  readonly shard: () => number;
  /** Whether the tenant is already listed, so the list item is not rewritten by every commit. */
  readonly tenantListed: boolean;
};

class PlanBuilder {
  readonly items: TransactWriteItem[] = [];
  readonly outcomes: Outcome[] = [];

  add(item: TransactWriteItem, outcome: Outcome): void {
    this.items.push(item);
    this.outcomes.push(outcome);
  }
}

const absent = 'attribute_not_exists(pk)';

function put(table: string, item: Item, condition?: string, values?: Item, names?: Record<string, string>): TransactWriteItem {
  return {
    Put: {
      TableName: table, Item: item,
      ...(condition === undefined ? {} : { ConditionExpression: condition }),
      ...(values === undefined ? {} : { ExpressionAttributeValues: values }),
      ...(names === undefined ? {} : { ExpressionAttributeNames: names }),
    },
  };
}

function versionConflict(record: RecordWrite): Conflict {
  return { kind: 'version', recordKind: record.kind, id: record.id };
}

/** A write replaces body and index key; created_at and the creation-order key stay. */
function recordUpdate(input: PlanInput, record: RecordWrite): TransactWriteItem {
  const { tenantId, at } = input.changeset;
  const item = recordItem(tenantId, record, at, at);
  const indexed = record.indexKey !== undefined;
  return {
    Update: {
      TableName: input.tables.ledger,
      Key: { pk: item['pk'] ?? text(''), sk: item['sk'] ?? text('') },
      UpdateExpression: `SET #body = :body, #version = :next, #updated = :at${indexed ? ', #ipk = :ipk, #isk = #order, #index = :index' : ''}`
        + (indexed ? '' : ' REMOVE #ipk, #isk, #index'),
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: {
        '#body': 'body', '#version': 'version', '#updated': 'updated_at', '#ipk': 'gsi2pk', '#isk': 'gsi2sk', '#index': 'index_key',
        ...(indexed ? { '#order': 'gsi1sk' } : {}),
      },
      ExpressionAttributeValues: {
        ':body': text(JSON.stringify(record.body)), ':next': num(record.expectedVersion + 1), ':at': num(at), ':expected': num(record.expectedVersion),
        ...(indexed ? { ':ipk': text(ledgerKeys.recordsOfIndexKey(tenantId, record.kind, record.indexKey ?? '')), ':index': text(record.indexKey ?? '') } : {}),
      },
    },
  };
}

function planRecords(input: PlanInput, plan: PlanBuilder): Conflict | null {
  const seen = new Set<string>();
  for (const record of input.changeset.records ?? []) {
    const key = JSON.stringify([record.kind, record.id]);
    if (seen.has(key)) return versionConflict(record);
    seen.add(key);
    const { tenantId, at } = input.changeset;
    plan.add(record.expectedVersion === 0
      ? put(input.tables.ledger, recordItem(tenantId, record, at, at), absent)
      : recordUpdate(input, record), versionConflict(record));
  }
  return null;
}

type Accounts = { readonly created: Map<AccountId, AccountDefinition>; readonly all: Map<AccountId, AccountDefinition> };

function collectAccounts(input: PlanInput): { ok: true; accounts: Accounts } | { ok: false; conflict: Conflict } {
  const created = new Map<AccountId, AccountDefinition>();
  for (const account of input.changeset.accounts ?? []) {
    if (created.has(account.id)) return { ok: false, conflict: { kind: 'account_exists', accountId: account.id } };
    created.set(account.id, account);
  }
  return { ok: true, accounts: { created, all: new Map([...input.state.accounts, ...created]) } };
}

function accountFor(accounts: Accounts, id: AccountId, currency: string): AccountDefinition | Conflict {
  const definition = accounts.all.get(id);
  if (definition === undefined) return { kind: 'account_missing', accountId: id };
  if (definition.currency !== currency) return { kind: 'currency_mismatch', accountId: id };
  return definition;
}

function isConflict(value: AccountDefinition | Conflict): value is Conflict {
  return 'kind' in value && !('tenantId' in value);
}

function checkResolution(input: PlanInput, earlier: ReadonlyMap<TransferId, TransferWrite>, resolved: Set<TransferId>, transfer: TransferWrite): Conflict | null {
  const pendingId = transfer.pendingId;
  if (pendingId === undefined) return null;
  const pending = earlier.get(pendingId) ?? input.state.pendings.get(pendingId);
  if (pending === undefined) return { kind: 'pending_missing', transferId: pendingId };
  if (!resolvesPending(pending, transfer)) return { kind: 'pending_mismatch', transferId: pendingId };
  if (resolved.has(pendingId)) return { kind: 'pending_resolved', transferId: pendingId };
  resolved.add(pendingId);
  return null;
}

function planTransfers(input: PlanInput, plan: PlanBuilder, accounts: Accounts, movements: Movements): Conflict | null {
  const { tenantId } = input.changeset;
  const earlier = new Map<TransferId, TransferWrite>();
  const resolved = new Set<TransferId>();
  for (const [index, transfer] of (input.changeset.transfers ?? []).entries()) {
    if (earlier.has(transfer.id)) return { kind: 'transfer_exists', transferId: transfer.id };
    const debit = accountFor(accounts, transfer.debitAccountId, transfer.currency);
    if (isConflict(debit)) return debit;
    const credit = accountFor(accounts, transfer.creditAccountId, transfer.currency);
    if (isConflict(credit)) return credit;
    const resolution = checkResolution(input, earlier, resolved, transfer);
    if (resolution !== null) return resolution;
    earlier.set(transfer.id, transfer);
    const item = transferItem(tenantId, transfer, input.sequenceBase + BigInt(index), input.committedAt);
    plan.add(put(input.tables.ledger, item, absent), { kind: 'transfer_exists', transferId: transfer.id });
    if (transfer.pendingId !== undefined) {
      plan.add(put(input.tables.ledger, resolutionItem(tenantId, transfer), absent), { kind: 'pending_resolved', transferId: transfer.pendingId });
    }
    const deltas = balanceDeltas(transfer);
    movements.apply(debit, deltas.debit);
    movements.apply(credit, deltas.credit);
  }
  return null;
}

function addBalances(movement: AccountMovement): { expression: string; values: Item } {
  const values: Item = {};
  for (const [name, value] of Object.entries(balanceAttributes(movement.delta))) values[`:${name}`] = value;
  return { expression: 'ADD #dp :debits_posted, #cp :credits_posted, #dq :debits_pending, #cq :credits_pending', values };
}

const balanceNames = { '#dp': 'debits_posted', '#cp': 'credits_posted', '#dq': 'debits_pending', '#cq': 'credits_pending' };

/** A no-negative account: one item, its headroom conditioned; others: a random shard, no condition. */
function balanceUpdate(input: PlanInput, movement: AccountMovement): TransactWriteItem {
  const { tenantId } = input.changeset;
  const definition = movement.definition;
  const add = addBalances(movement);
  const pk = text(ledgerKeys.account(tenantId, definition.id));
  if (definition.allowNegative) {
    return { Update: { TableName: input.tables.ledger, Key: { pk, sk: text(ledgerKeys.accountShardSort(input.shard())) }, UpdateExpression: add.expression, ExpressionAttributeNames: balanceNames, ExpressionAttributeValues: add.values } };
  }
  const needed = movement.headroomNeeded;
  return {
    Update: {
      TableName: input.tables.ledger,
      Key: { pk, sk: text(ledgerKeys.accountDefinitionSort) },
      UpdateExpression: `${add.expression}, #headroom :headroom`,
      ConditionExpression: needed > 0n ? '#headroom >= :needed' : 'attribute_exists(pk)',
      ExpressionAttributeNames: { ...balanceNames, '#headroom': 'headroom' },
      ExpressionAttributeValues: { ...add.values, ':headroom': num(headroomOf(definition, movement.delta)), ...(needed > 0n ? { ':needed': num(needed) } : {}) },
    },
  };
}

/** New accounts; a new no-negative account carries its balances after this changeset. */
function planAccounts(input: PlanInput, plan: PlanBuilder, accounts: Accounts, movements: Movements): Conflict | null {
  const moved = new Map(movements.all().map((movement) => [movement.definition.id, movement]));
  for (const definition of accounts.created.values()) {
    const movement = moved.get(definition.id);
    if (movement !== undefined && breaksFromZero(movement)) return { kind: 'balance_limit', accountId: definition.id };
    const balances = definition.allowNegative ? null : (movement?.delta ?? zeroBalances);
    const headroom = balances === null ? null : headroomOf(definition, balances);
    plan.add(put(input.tables.ledger, accountItem(definition, input.changeset.at, balances, headroom), absent), { kind: 'account_exists', accountId: definition.id });
  }
  return null;
}

function planBalances(input: PlanInput, plan: PlanBuilder, accounts: Accounts, movements: Movements): void {
  for (const movement of movements.all()) {
    if (accounts.created.has(movement.definition.id) && !movement.definition.allowNegative) continue;
    plan.add(balanceUpdate(input, movement), { kind: 'balance_limit', accountId: movement.definition.id });
  }
}

function planLedgerEntries(input: PlanInput, plan: PlanBuilder): Conflict | null {
  const seen = new Set<string>();
  for (const entry of input.changeset.ledgerEntries ?? []) {
    const conflict: Conflict = { kind: 'ledger_entry_exists', transactionId: entry.transactionId, sequence: entry.sequence };
    const key = JSON.stringify([entry.transactionId, entry.sequence]);
    if (seen.has(key)) return conflict;
    seen.add(key);
    plan.add(put(input.tables.ledger, ledgerEntryItem(input.changeset.tenantId, entry, input.committedAt), absent), conflict);
  }
  return null;
}

/** Chains the appends onto the heads read before; the heads' conditions catch a head that moved. */
function planAudit(input: PlanInput, plan: PlanBuilder): AuditRecord[] {
  const { tenantId } = input.changeset;
  const heads = new Map(input.state.heads);
  const chained: AuditRecord[] = [];
  for (const [index, append] of (input.changeset.audit ?? []).entries()) {
    const record = chainAuditRecord(tenantId, append, heads.get(append.stream) ?? null);
    heads.set(append.stream, { sequence: record.sequence, hash: record.hash });
    chained.push(record);
    plan.add(put(input.tables.audit, auditItem(record, input.sequenceBase + BigInt(index)), absent), 'retry');
  }
  for (const [stream, head] of heads) {
    const before = input.state.heads.get(stream) ?? null;
    if (head === null || (before !== null && before.sequence === head.sequence)) continue;
    const item = { pk: text(auditKeys.heads(tenantId)), sk: text(stream), stream: text(stream), sequence: num(head.sequence), hash: text(head.hash) };
    plan.add(before === null
      ? put(input.tables.audit, item, absent)
      : put(input.tables.audit, item, '#sequence = :before', { ':before': num(before.sequence) }, { '#sequence': 'sequence' }), 'retry');
  }
  return chained;
}

function planRest(input: PlanInput, plan: PlanBuilder): void {
  const { tenantId } = input.changeset;
  for (const message of input.changeset.outbox ?? []) {
    plan.add(put(input.tables.ledger, outboxItem(tenantId, message, input.committedAt), absent), 'retry');
  }
  if (!input.tenantListed) {
    plan.add(put(input.tables.ledger, { pk: text(ledgerKeys.tenants()), sk: text(tenantId), tenant_id: text(tenantId) }), 'retry');
  }
}

/** The transaction for a changeset, or the conflict already certain from what was read. */
export function planCommit(input: PlanInput): { ok: true; plan: CommitPlan } | { ok: false; conflict: Conflict } {
  const plan = new PlanBuilder();
  const collected = collectAccounts(input);
  if (!collected.ok) return collected;
  const accounts = collected.accounts;
  const movements = new Movements();
  const transfers = new PlanBuilder();
  // Items go in the order SQL stores check: records, accounts, transfers, ledger entries.
  const conflict = planRecords(input, plan)
    ?? planTransfers(input, transfers, accounts, movements)
    ?? planAccounts(input, plan, accounts, movements);
  if (conflict !== null) return { ok: false, conflict };
  for (const [index, item] of transfers.items.entries()) plan.add(item, transfers.outcomes[index] ?? 'retry');
  planBalances(input, plan, accounts, movements);
  const entryConflict = planLedgerEntries(input, plan);
  if (entryConflict !== null) return { ok: false, conflict: entryConflict };
  const audit = planAudit(input, plan);
  planRest(input, plan);
  if (plan.items.length > transactItemsMax) {
    throw new TransactionTooLargeError(`a changeset needs ${plan.items.length} items, more than the ${transactItemsMax} of one DynamoDB transaction`);
  }
  return { ok: true, plan: { items: plan.items, outcomes: plan.outcomes, audit } };
}


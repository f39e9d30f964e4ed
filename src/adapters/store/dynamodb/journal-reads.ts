// Reads of the journal and records from the ledger table: accounts with their balances
// summed over their balance items, transfers by id, account and transaction, balances as
// of a time (summed from the account's transfers), PaymentLedger entries, totals.
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvalidCursorError, type JournalTotals, type LedgerEntry, type Page, type PageRequest, type StoredRecord } from '../../../app/ports/store.ts';
import type { AccountId, TenantId, TransferId } from '../../../domain/ids.ts';
import { zeroBalances, type Account, type AccountBalances } from '../../../domain/journal/accounts.ts';
import { applyDelta, balanceDeltas, type Transfer } from '../../../domain/journal/transfers.ts';
import { pageSize } from '../rows/paging.ts';
import { bigintAttribute, text, textAttribute, type Item } from './attributes.ts';
import { accountOf, ledgerEntryOf, recordOf, transferOf } from './items.ts';
import { ledgerKeys, padSequence } from './keys.ts';
import { queryItems, queryPage } from './query.ts';
import type { TableNames } from './tables.ts';

export type Reader = { readonly client: DynamoDBClient; readonly tables: TableNames };

/** Sequences of one commit start at committedAt × this (see committer.ts). */
const sequencesPerMs = 1_000_000n;
const cursorPrefix = 'o1.';
const orderPattern = /^[0-9]{20}#/;

async function getItem(reader: Reader, pk: string, sk: string): Promise<Item | undefined> {
  const output = await reader.client.send(new GetItemCommand({ TableName: reader.tables.ledger, Key: { pk: text(pk), sk: text(sk) }, ConsistentRead: true }));
  return output.Item;
}

function sumBalances(items: readonly Item[]): AccountBalances {
  return items.reduce<AccountBalances>((sum, item) => ({
    debitsPosted: sum.debitsPosted + bigintAttribute(item, 'debits_posted'),
    creditsPosted: sum.creditsPosted + bigintAttribute(item, 'credits_posted'),
    debitsPending: sum.debitsPending + bigintAttribute(item, 'debits_pending'),
    creditsPending: sum.creditsPending + bigintAttribute(item, 'credits_pending'),
  }), zeroBalances);
}

export async function getAccount(reader: Reader, tenantId: TenantId, id: AccountId): Promise<Account | null> {
  const items = await queryItems(reader.client, { table: reader.tables.ledger, partition: ledgerKeys.account(tenantId, id), consistent: true });
  const definition = items.find((item) => item['sk']?.S === ledgerKeys.accountDefinitionSort);
  return definition === undefined ? null : accountOf(definition, sumBalances(items));
}

export async function getAccounts(reader: Reader, tenantId: TenantId, ids: readonly AccountId[]): Promise<ReadonlyMap<AccountId, Account>> {
  const found = await Promise.all([...new Set(ids)].map((id) => getAccount(reader, tenantId, id)));
  return new Map(found.flatMap((account) => (account === null ? [] : [[account.id, account]])));
}

/** Every transfer on one side of an account, in sequence order, optionally before a bound. */
function sideQuery(reader: Reader, tenantId: TenantId, accountId: AccountId, side: 'gsi1' | 'gsi2', sort?: { lessThan: string } | { greaterThan: string }) {
  return { table: reader.tables.ledger, index: side, partition: ledgerKeys.account(tenantId, accountId), ...(sort === undefined ? {} : { sort }) };
}

export async function getBalancesAsOf(reader: Reader, tenantId: TenantId, accountId: AccountId, at: number): Promise<AccountBalances | null> {
  const bound = { lessThan: padSequence(BigInt(at + 1) * sequencesPerMs) };
  const [debits, credits] = await Promise.all([
    queryItems(reader.client, sideQuery(reader, tenantId, accountId, 'gsi1', bound)),
    queryItems(reader.client, sideQuery(reader, tenantId, accountId, 'gsi2', bound)),
  ]);
  if (debits.length === 0 && credits.length === 0) return null;
  let balances = zeroBalances;
  for (const item of debits) balances = applyDelta(balances, balanceDeltas(transferOf(item)).debit);
  for (const item of credits) balances = applyDelta(balances, balanceDeltas(transferOf(item)).credit);
  return balances;
}

export async function getTransfer(reader: Reader, tenantId: TenantId, id: TransferId): Promise<Transfer | null> {
  const item = await getItem(reader, ledgerKeys.transfer(tenantId, id), ledgerKeys.transferSort);
  return item === undefined ? null : transferOf(item);
}

export async function getPendingResolution(reader: Reader, tenantId: TenantId, pendingId: TransferId): Promise<Transfer | null> {
  const marker = await getItem(reader, ledgerKeys.transfer(tenantId, pendingId), ledgerKeys.resolutionSort);
  const resolutionId = marker?.['resolution_id']?.S;
  return resolutionId === undefined ? null : getTransfer(reader, tenantId, resolutionId as TransferId);
}

function afterOrder(request: PageRequest): string | null {
  if (request.cursor === undefined) return null;
  const decoded = Buffer.from(request.cursor, 'base64url').toString('utf8');
  const order = decoded.startsWith(cursorPrefix) ? decoded.slice(cursorPrefix.length) : '';
  if (!orderPattern.test(order)) throw new InvalidCursorError('invalid page cursor');
  return order;
}

/** Oldest first: the debit and credit sides of the account merged by sequence. */
export async function listAccountTransfers(reader: Reader, tenantId: TenantId, accountId: AccountId, request: PageRequest): Promise<Page<Transfer>> {
  const size = pageSize(request);
  const after = afterOrder(request);
  const sort = after === null ? undefined : { greaterThan: after };
  const [debits, credits] = await Promise.all([
    queryItems(reader.client, sideQuery(reader, tenantId, accountId, 'gsi1', sort), size + 1),
    queryItems(reader.client, sideQuery(reader, tenantId, accountId, 'gsi2', sort), size + 1),
  ]);
  const ordered = [...debits.map((item) => ({ order: item['gsi1sk']?.S ?? '', item })), ...credits.map((item) => ({ order: item['gsi2sk']?.S ?? '', item }))]
    .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  const page = ordered.slice(0, size);
  const last = page[page.length - 1];
  return {
    items: page.map((entry) => transferOf(entry.item)),
    nextCursor: ordered.length > size && last !== undefined ? Buffer.from(cursorPrefix + last.order, 'utf8').toString('base64url') : null,
  };
}

export async function listTransactionTransfers(reader: Reader, tenantId: TenantId, transactionId: string): Promise<readonly Transfer[]> {
  const items = await queryItems(reader.client, { table: reader.tables.ledger, index: 'gsi3', partition: ledgerKeys.transaction(tenantId, transactionId) });
  return items.map(transferOf);
}

export async function listLedgerEntries(reader: Reader, tenantId: TenantId, transactionId: string): Promise<readonly LedgerEntry[]> {
  const items = await queryItems(reader.client, { table: reader.tables.ledger, partition: ledgerKeys.ledgerEntries(tenantId, transactionId), consistent: true });
  return items.map(ledgerEntryOf);
}

export async function journalTotals(reader: Reader, tenantId: TenantId): Promise<JournalTotals> {
  const listed = await queryItems(reader.client, { table: reader.tables.ledger, index: 'gsi1', partition: ledgerKeys.accounts(tenantId) });
  const accounts = await getAccounts(reader, tenantId, listed.map((item) => textAttribute(item, 'id') as AccountId));
  const totals = new Map<string, { debits: AccountBalances; credits: AccountBalances }>();
  for (const account of accounts.values()) {
    const sum = totals.get(account.currency) ?? { debits: zeroBalances, credits: zeroBalances };
    sum.debits = { ...sum.debits, debitsPosted: sum.debits.debitsPosted + account.debitsPosted, debitsPending: sum.debits.debitsPending + account.debitsPending };
    sum.credits = { ...sum.credits, creditsPosted: sum.credits.creditsPosted + account.creditsPosted, creditsPending: sum.credits.creditsPending + account.creditsPending };
    totals.set(account.currency, sum);
  }
  return totals;
}

export async function getRecord(reader: Reader, tenantId: TenantId, kind: string, id: string): Promise<StoredRecord | null> {
  const item = await getItem(reader, ledgerKeys.record(tenantId, kind, id), ledgerKeys.recordSort);
  return item === undefined ? null : recordOf(item);
}

/** In creation order; with an index key, only the records that carry it now. */
export async function listRecords(reader: Reader, tenantId: TenantId, kind: string, request: PageRequest & { indexKey?: string }): Promise<Page<StoredRecord>> {
  const query = request.indexKey === undefined
    ? { table: reader.tables.ledger, index: 'gsi1' as const, partition: ledgerKeys.recordsOfKind(tenantId, kind) }
    : { table: reader.tables.ledger, index: 'gsi2' as const, partition: ledgerKeys.recordsOfIndexKey(tenantId, kind, request.indexKey) };
  const page = await queryPage(reader.client, query, request);
  return { items: page.items.map(recordOf), nextCursor: page.nextCursor };
}

export async function listTenantIds(reader: Reader): Promise<readonly TenantId[]> {
  const items = await queryItems(reader.client, { table: reader.tables.ledger, partition: ledgerKeys.tenants(), consistent: true });
  return items.map((item) => textAttribute(item, 'tenant_id') as TenantId);
}

// Accounts of the journal (L4, L5): create one, read its balances (now or as of a time)
// and page through its transfers. Reads are audited (A2).
import { defaultAllowNegative, normalSideOf, type AccountType } from '../../domain/journal/accounts.ts';
import type { AccountId } from '../../domain/ids.ts';
import type { CurrencyCode } from '../../domain/money/currencies.ts';
import { ok, refuse, type Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import { buildAuditEntry } from '../audit/audit-entry.ts';
import { recordRead } from '../audit/audited-read.ts';
import { initiatorOf, type Principal } from '../access/principal.ts';
import { completedKeyWrite, lookUpIdempotency, type IdempotencyRequest } from '../shared/idempotency.ts';
import type { Reply, StoredReply } from '../shared/reply.ts';
import type { JsonObject, PageRequest } from '../ports/store.ts';
import { accountView, balancesView, transferView } from './account-view.ts';

type TenantPrincipal = Extract<Principal, { kind: 'api_key' }>;
export const systemAccountPrefix = 'sys:';

export type CreateAccountInput = {
  readonly accountId?: string;
  readonly type: AccountType;
  readonly currency: CurrencyCode;
  readonly name?: string;
  readonly allowNegative?: boolean;
};

export async function createAccount(
  deps: Dependencies,
  principal: TenantPrincipal,
  input: CreateAccountInput,
  idempotency: IdempotencyRequest | null,
): Promise<Result<Reply | StoredReply, 'account_exists' | 'invalid_account_id' | 'idempotency_key_reused' | 'request_in_progress'>> {
  if (input.accountId?.startsWith(systemAccountPrefix) === true) {
    return refuse('invalid_account_id', 'account_id', `ids starting with '${systemAccountPrefix}' are reserved for system accounts`);
  }
  if (idempotency !== null) {
    const known = await lookUpIdempotency(deps.store, principal.tenantId, idempotency);
    if (known.state === 'reused') return refuse('idempotency_key_reused');
    if (known.state === 'done') return ok(known.reply);
    if (known.state === 'in_progress') return refuse('request_in_progress');
  }
  const at = deps.clock.now();
  const id = (input.accountId ?? deps.ids.next('acc')) as AccountId;
  const definition = {
    id,
    tenantId: principal.tenantId,
    type: input.type,
    currency: input.currency,
    name: input.name ?? id,
    allowNegative: input.allowNegative ?? defaultAllowNegative(input.type),
  };
  const account = { ...definition, normalSide: normalSideOf(input.type), createdAt: at, debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n };
  const reply: Reply = { statusCode: 201, body: { message: 'Account created.', status: 'active', ...accountView(account) } };
  const audit = await buildAuditEntry(deps, principal.tenantId, at, {
    stream: `account:${id}`, action: 'account.created', initiator: initiatorOf(principal), status: 'CREATED',
    currency: input.currency, details: { query: { ...reply.body } },
  });
  const committed = await deps.store.commit({
    tenantId: principal.tenantId,
    at,
    accounts: [definition],
    audit: [audit],
    records: idempotency === null ? [] : [completedKeyWrite(idempotency, reply, 0, `account:${id}`)],
  });
  if (!committed.ok) {
    // A concurrent request with the same key may have won: answer as its replay.
    if (idempotency !== null && committed.conflict.kind === 'version') return createAccount(deps, principal, input, idempotency);
    return refuse('account_exists', 'account_id', `account '${id}' already exists`);
  }
  return ok(reply);
}

export async function getAccount(
  deps: Dependencies,
  principal: TenantPrincipal,
  accountId: string,
  asOf: number | null,
): Promise<Result<Reply, 'account_not_found'>> {
  const account = (await deps.store.getAccounts(principal.tenantId, [accountId as AccountId])).get(accountId as AccountId);
  if (account === undefined) return refuse('account_not_found', 'account_id');
  let body: JsonObject = { message: 'Account found.', status: 'active', ...accountView(account) };
  if (asOf !== null) {
    const balances = await deps.store.getBalancesAsOf(principal.tenantId, account.id, asOf);
    const zero = { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n };
    body = { ...body, balances: balancesView(account, balances ?? zero), as_of: new Date(asOf).toISOString() };
  }
  await recordRead(deps, {
    tenantId: principal.tenantId, initiator: initiatorOf(principal), stream: `account:${account.id}`,
    action: 'account.read', query: { account_id: account.id, as_of: asOf }, response: body,
  });
  return ok({ statusCode: 200, body });
}

export async function listAccountEntries(
  deps: Dependencies,
  principal: TenantPrincipal,
  accountId: string,
  page: PageRequest,
): Promise<Result<Reply, 'account_not_found'>> {
  const id = accountId as AccountId;
  const account = (await deps.store.getAccounts(principal.tenantId, [id])).get(id);
  if (account === undefined) return refuse('account_not_found', 'account_id');
  const transfers = await deps.store.listAccountTransfers(principal.tenantId, id, page);
  const body = {
    message: 'Entries found.',
    status: 'success',
    account_id: id,
    data: transfers.items.map((transfer) => transferView(transfer, id)),
    next_cursor: transfers.nextCursor,
  };
  await recordRead(deps, {
    tenantId: principal.tenantId, initiator: initiatorOf(principal), stream: `account:${id}`,
    action: 'account.entries_read', query: { account_id: id, limit: page.limit, cursor: page.cursor ?? null }, response: body,
  });
  return ok({ statusCode: 200, body });
}

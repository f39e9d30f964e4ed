// Commits changesets: reads what the plan needs (immutable account definitions and holds,
// the audit heads), sends ONE TransactWriteItems, and reads a failed condition back as a
// conflict. A lost race on an audit head or a transaction conflict is retried, bounded.
import { randomInt, randomUUID } from 'node:crypto';
import {
  GetItemCommand, TransactionCanceledException, TransactionConflictException, TransactWriteItemsCommand,
  ProvisionedThroughputExceededException, ThrottlingException, InternalServerError, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { Clock } from '../../../app/ports/clock.ts';
import type { Changeset, CommitResult, Conflict } from '../../../app/ports/store.ts';
import type { AccountId, TenantId, TransferId } from '../../../domain/ids.ts';
import { zeroBalances, type AccountDefinition } from '../../../domain/journal/accounts.ts';
import type { TransferWrite } from '../../../domain/journal/transfers.ts';
import { bigintAttribute, text, type Item } from './attributes.ts';
import { planCommit, type CommitState, type Outcome } from './commit-plan.ts';
import { accountOf, transferOf } from './items.ts';
import { auditKeys, ledgerKeys } from './keys.ts';
import type { TableNames } from './tables.ts';

/** Attempts of one commit when audit heads move or transactions collide, before giving up. */
export const commitAttemptsMax = 64;
const retryDelayMaxMs = 40;
/** Transfers and audit records of one commit get sequence base + index; the base leaves room for them. */
const sequencesPerCommit = 1_000_000n;
const sequencesPerNode = 100n;
const nodeTagsCount = 10_000;

const retryableReasons = new Set(['ConditionalCheckFailed', 'TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

/** Refused before anything was written: deciding and planning again is safe. */
function retryable(error: unknown): boolean {
  return error instanceof TransactionConflictException || error instanceof ThrottlingException
    || error instanceof ProvisionedThroughputExceededException;
}

/**
 * An answer that does not say whether the transaction was applied: a 500 may come after
 * the commit. Planning again would write the changeset a second time under new sequences
 * (an audit record twice) or find its own transfer and call it a conflict (the app then
 * decides again: one refund request refunded twice). Only the same request may be sent
 * again: with the same ClientRequestToken, DynamoDB applies it at most once and answers a
 * repeat of an applied one with success (for 10 minutes).
 */
function ambiguous(error: unknown): boolean {
  return error instanceof InternalServerError;
}

/** Times the same request is sent again after ambiguous answers before the outcome is given up as unknown. */
export const ambiguousResendsMax = 5;

/** A commit whose outcome DynamoDB would not tell: it may or may not be applied. */
export class CommitOutcomeUnknownError extends Error {}

/** The conflict a cancelled transaction means, or 'retry' when only a race was lost. */
function outcomeOf(error: unknown, outcomes: readonly Outcome[]): Outcome {
  if (retryable(error)) return 'retry';
  if (!(error instanceof TransactionCanceledException)) throw error;
  const reasons = error.CancellationReasons ?? [];
  for (const [index, reason] of reasons.entries()) {
    const outcome = outcomes[index];
    if (reason.Code === 'ConditionalCheckFailed' && outcome !== undefined && outcome !== 'retry') return outcome;
  }
  if (reasons.some((reason) => retryableReasons.has(reason.Code ?? ''))) return 'retry';
  throw error;
}

export class DynamoCommitter {
  readonly #client: DynamoDBClient;
  readonly #tables: TableNames;
  readonly #clock: Clock;
  readonly #nodeTag = BigInt(randomInt(nodeTagsCount));
  readonly #definitions = new Map<string, AccountDefinition>();
  readonly #listedTenants = new Set<TenantId>();
  readonly #balanceShards: number;
  #lastCommittedAt = 0;
  #racesLost = 0;

  constructor(client: DynamoDBClient, tables: TableNames, clock: Clock, balanceShards: number) {
    this.#client = client;
    this.#tables = tables;
    this.#clock = clock;
    this.#balanceShards = balanceShards;
  }

  /** Commits sent again because an audit head moved or a transaction collided (for benchmarks and metrics). */
  get racesLost(): number {
    return this.#racesLost;
  }

  async commit(changeset: Changeset): Promise<CommitResult> {
    for (let attempt = 1; ; attempt++) {
      const state = await this.#readState(changeset);
      const committedAt = this.#nextCommittedAt();
      const planned = planCommit({
        changeset, state, tables: this.#tables, committedAt,
        sequenceBase: BigInt(committedAt) * sequencesPerCommit + this.#nodeTag * sequencesPerNode,
        shard: () => randomInt(this.#balanceShards),
        tenantListed: this.#listedTenants.has(changeset.tenantId),
      });
      if (!planned.ok) return { ok: false, conflict: (await this.#earlierConflict(changeset)) ?? planned.conflict };
      try {
        await this.#sendOnce(new TransactWriteItemsCommand({ TransactItems: planned.plan.items, ClientRequestToken: randomUUID() }));
        this.#listedTenants.add(changeset.tenantId);
        return { ok: true, committedAt };
      } catch (error) {
        const outcome = outcomeOf(error, planned.plan.outcomes);
        if (outcome !== 'retry') return { ok: false, conflict: outcome };
        this.#racesLost++;
        if (attempt >= commitAttemptsMax) throw new Error(`a commit lost ${commitAttemptsMax} races in a row`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, randomInt(Math.min(retryDelayMaxMs, 2 ** attempt) + 1)));
      }
    }
  }

  /** Sends one transaction; after an ambiguous answer, the very same request again (its token makes that safe), never a new plan. */
  async #sendOnce(command: TransactWriteItemsCommand): Promise<void> {
    for (let resend = 0; ; resend++) {
      try {
        await this.#client.send(command);
        return;
      } catch (error) {
        if (!ambiguous(error)) throw error;
        if (resend >= ambiguousResendsMax) throw new CommitOutcomeUnknownError('DynamoDB did not say whether a commit was applied', { cause: error });
        await new Promise((resolve) => setTimeout(resolve, randomInt(Math.min(retryDelayMaxMs, 2 ** (resend + 2)) + 1)));
      }
    }
  }

  /**
   * A conflict found in code (a transfer's account, currency or hold) must not hide one the
   * SQL stores would report first: a stale record version, then an account that exists.
   */
  async #earlierConflict(changeset: Changeset): Promise<Conflict | null> {
    const { tenantId } = changeset;
    for (const record of changeset.records ?? []) {
      const item = await this.#get(this.#tables.ledger, ledgerKeys.record(tenantId, record.kind, record.id), ledgerKeys.recordSort);
      const version = item === undefined ? 0 : Number(bigintAttribute(item, 'version'));
      if (version !== record.expectedVersion) return { kind: 'version', recordKind: record.kind, id: record.id };
    }
    for (const account of changeset.accounts ?? []) {
      if ((await this.#definition(tenantId, account.id)) !== null) return { kind: 'account_exists', accountId: account.id };
    }
    return null;
  }

  /** Strictly increasing in this process, whatever the clock does. */
  #nextCommittedAt(): number {
    this.#lastCommittedAt = Math.max(this.#clock.now(), this.#lastCommittedAt + 1);
    return this.#lastCommittedAt;
  }

  async #get(table: string, pk: string, sk: string): Promise<Item | undefined> {
    const output = await this.#client.send(new GetItemCommand({ TableName: table, Key: { pk: text(pk), sk: text(sk) }, ConsistentRead: true }));
    return output.Item;
  }

  async #definition(tenantId: TenantId, id: AccountId): Promise<AccountDefinition | null> {
    const cacheKey = JSON.stringify([tenantId, id]);
    const cached = this.#definitions.get(cacheKey);
    if (cached !== undefined) return cached;
    const item = await this.#get(this.#tables.ledger, ledgerKeys.account(tenantId, id), ledgerKeys.accountDefinitionSort);
    if (item === undefined) return null;
    const { tenantId: owner, id: accountId, type, currency, name, allowNegative } = accountOf(item, zeroBalances);
    const definition: AccountDefinition = { tenantId: owner, id: accountId, type, currency, name, allowNegative };
    // Definitions never change and accounts are never deleted, so a found one can be kept.
    this.#definitions.set(cacheKey, definition);
    return definition;
  }

  async #readState(changeset: Changeset): Promise<CommitState> {
    const { tenantId } = changeset;
    const transfers = changeset.transfers ?? [];
    const created = new Set((changeset.accounts ?? []).map((account) => account.id));
    const inChangeset = new Set(transfers.map((transfer) => transfer.id));
    const accountIds = [...new Set(transfers.flatMap((transfer) => [transfer.debitAccountId, transfer.creditAccountId]))].filter((id) => !created.has(id));
    const pendingIds = [...new Set(transfers.flatMap((transfer) => (transfer.pendingId === undefined ? [] : [transfer.pendingId])))].filter((id) => !inChangeset.has(id));
    const streams = [...new Set((changeset.audit ?? []).map((append) => append.stream))];
    const [accounts, pendings, heads] = await Promise.all([
      Promise.all(accountIds.map(async (id) => [id, await this.#definition(tenantId, id)] as const)),
      Promise.all(pendingIds.map(async (id) => [id, await this.#get(this.#tables.ledger, ledgerKeys.transfer(tenantId, id), ledgerKeys.transferSort)] as const)),
      Promise.all(streams.map(async (stream) => [stream, await this.#get(this.#tables.audit, auditKeys.heads(tenantId), stream)] as const)),
    ]);
    return {
      accounts: new Map(accounts.flatMap(([id, definition]) => (definition === null ? [] : [[id, definition]]))),
      pendings: new Map<TransferId, TransferWrite>(pendings.flatMap(([id, item]) => (item === undefined ? [] : [[id, transferOf(item)]]))),
      heads: new Map(heads.map(([stream, item]) => [stream, item === undefined ? null : {
        sequence: Number(bigintAttribute(item, 'sequence')), hash: item['hash']?.S ?? '',
      }])),
    };
  }
}

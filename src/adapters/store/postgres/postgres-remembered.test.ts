// Batches decided on remembered rows (batch-cache.ts, migration v6): a process commits in
// one round trip what it can decide from the rows its own last commits left, and the
// write checks every assumption. Here a second store (another process) changes those rows
// in between — an account's balance, an audit stream's head, a record's version, a pending
// transfer's resolution — and the first store must notice, write nothing on the stale
// decision, and decide again on a locked read exactly as if it had never remembered; or,
// for an account without a balance limit (migration v10), commit anyway, shifted by what
// the other process moved, its balances and history exact.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Changeset, CommitResult } from '../../../app/ports/store.ts';
import { createAuditVerifier } from '../../../domain/audit/verify-chain.ts';
import type { AccountId, AuditRecordId, TenantId, TransferId } from '../../../domain/ids.ts';
import { systemClock } from '../../system/system-clock.ts';
import { contendedPauseMs } from './batch-cache.ts';
import { openPostgresStore, type PostgresStore } from './postgres-store.ts';
import { createTestSchema, probeTestDatabase, withTestClient, type TestSchema } from './test-database.ts';

const availability = await probeTestDatabase();
const skip = availability.available ? false : `no PostgreSQL: ${availability.reason}`;
const at = 1_700_000_000_000;

const customer = 'customer' as AccountId;
const merchant = 'merchant' as AccountId;

function tenant(): TenantId {
  return `ten_mem_${randomUUID().slice(0, 8)}` as TenantId;
}

/** A customer account that may not go negative, funded with 100, and a merchant. */
function opening(tenantId: TenantId): Changeset {
  return {
    tenantId, at,
    accounts: [
      { id: 'funding' as AccountId, tenantId, type: 'processor_clearing', currency: 'NGN', name: 'funding', allowNegative: true },
      { id: customer, tenantId, type: 'customer', currency: 'NGN', name: 'customer', allowNegative: false },
      { id: merchant, tenantId, type: 'merchant', currency: 'NGN', name: 'merchant', allowNegative: true },
    ],
  };
}

function spend(tenantId: TenantId, id: string, amountMinor: bigint, extra: Partial<Changeset> = {}): Changeset {
  return {
    tenantId, at, ...extra,
    transfers: [{ id: id as TransferId, kind: 'posted', debitAccountId: customer, creditAccountId: merchant, amountMinor, currency: 'NGN', code: 'spend' }],
  };
}

function assertOk(result: CommitResult): void {
  assert.ok(result.ok, JSON.stringify(result));
}

type Counts = ReturnType<PostgresStore['batchCounts']>;
const difference = (after: Counts, before: Counts): Counts => ({
  remembered: after.remembered - before.remembered, read: after.read - before.read, stale: after.stale - before.stale, shifted: after.shifted - before.shifted,
});

/** The first store's clock, moved forward to end a pause on contended accounts. */
const firstClock = { offsetMs: 0, now(): number { return Date.now() + this.offsetMs; } };

/**
 * Runs `work` while the connection fails right after the first one-statement batch commit
 * (contra_batch_commit_v10, batch-write.ts) committed, before its answer comes back: the
 * caller cannot know whether it committed. Answers how many answers were lost.
 */
async function losingNextBatchAnswer(work: () => Promise<unknown>): Promise<number> {
  const prototype = pg.Client.prototype as unknown as { query: (this: pg.Client, text: unknown) => Promise<unknown> };
  const query = prototype.query;
  let dropped = 0;
  prototype.query = async function (this: pg.Client, text: unknown): Promise<unknown> {
    const result: unknown = await query.call(this, text);
    if (dropped === 0 && typeof text === 'object' && text !== null && (text as { name?: unknown }).name === 'contra_batch_commit_v10') {
      dropped++;
      throw Object.assign(new Error('Connection terminated unexpectedly'), { code: undefined });
    }
    return result;
  };
  try {
    await work();
  } finally {
    prototype.query = query;
  }
  return dropped;
}

void describe('postgresql batches decided on remembered rows', { skip }, () => {
  let schema: TestSchema;
  let first: PostgresStore;
  let second: PostgresStore;
  before(async () => {
    schema = await createTestSchema('remembered');
    first = openPostgresStore({ connectionString: schema.url, clock: firstClock });
    second = openPostgresStore({ connectionString: schema.url, clock: systemClock });
    await first.migrate();
  });
  after(async () => {
    await first.close();
    await second.close();
    await schema.drop();
  });

  /** Opens the tenant's accounts and funds the customer with 100 through the first store. */
  async function funded(): Promise<TenantId> {
    const tenantId = tenant();
    assertOk(await first.commit(opening(tenantId)));
    assertOk(await first.commit({
      tenantId, at,
      transfers: [{ id: 'fund' as TransferId, kind: 'posted', debitAccountId: 'funding' as AccountId, creditAccountId: customer, amountMinor: 100n, currency: 'NGN', code: 'funding' }],
    }));
    return tenantId;
  }

  void it('commits in one round trip what the process remembers', async () => {
    const tenantId = await funded();
    const before = first.batchCounts();
    for (let index = 0; index < 5; index++) assertOk(await first.commit(spend(tenantId, `s-${index}`, 1n)));
    const counts = first.batchCounts();
    assert.equal(counts.remembered - before.remembered, 5);
    assert.equal(counts.read - before.read, 0);
    const account = (await second.getAccounts(tenantId, [customer])).get(customer);
    assert.equal(account?.debitsPosted, 5n);
  });

  void it('refuses a spend another process made unaffordable meanwhile, instead of writing balances it remembered', async () => {
    const tenantId = await funded();
    assertOk(await first.commit(spend(tenantId, 'first-1', 10n)));
    // Another process spends 85 of the 90 left; the first still remembers 90.
    assertOk(await second.commit(spend(tenantId, 'second-1', 85n)));
    const before = first.batchCounts();
    const result = await first.commit(spend(tenantId, 'first-2', 10n));
    assert.deepEqual(result, { ok: false, conflict: { kind: 'balance_limit', accountId: customer } });
    const counts = first.batchCounts();
    assert.equal(counts.stale - before.stale, 1, 'the remembered balances were found stale');
    assert.equal(counts.read - before.read, 1, 'and the batch decided again on a locked read');
    const account = (await first.getAccounts(tenantId, [customer])).get(customer);
    assert.equal(account?.debitsPosted, 95n);
    assert.equal(account.creditsPosted, 100n);
    const totals = (await first.journalTotals(tenantId)).get('NGN');
    assert.equal(totals?.debits.debitsPosted, totals?.credits.creditsPosted);
    // Another process writes this account: for a while it is read under lock, with no
    // batch wasted on memory that is likely stale again…
    assertOk(await first.commit(spend(tenantId, 'first-3', 1n)));
    assert.deepEqual(difference(first.batchCounts(), counts), { remembered: 0, read: 1, stale: 0, shifted: 0 });
    // …then memory is tried again, and it is fresh.
    firstClock.offsetMs += contendedPauseMs + 1;
    assertOk(await first.commit(spend(tenantId, 'first-4', 1n)));
    assert.deepEqual(difference(first.batchCounts(), counts), { remembered: 1, read: 1, stale: 0, shifted: 0 });
  });

  /** funding → merchant, both accounts without a limit. */
  function pay(tenantId: TenantId, id: string, amountMinor: bigint): Changeset {
    return { tenantId, at, transfers: [{ id: id as TransferId, kind: 'posted', debitAccountId: 'funding' as AccountId, creditAccountId: merchant, amountMinor, currency: 'NGN', code: 'pay' }] };
  }

  /**
   * Each account's balance history, in its key order, is the running sum of its transfers
   * (posted ones and holds here) and ends at the account's balances.
   */
  async function assertHistoryRunningSums(tenantId: TenantId): Promise<void> {
    type HistoryRow = { account_id: string; kind: string; debit_account_id: string; amount_minor: string } & Record<'debits_posted' | 'credits_posted' | 'debits_pending' | 'credits_pending', string>;
    await withTestClient(schema.url, async (client) => {
      await client.query(`SET contra.tenant_ids = '${tenantId}'`);
      const history = await client.query<HistoryRow>(
        `SELECT h.account_id, t.kind, t.debit_account_id, t.amount_minor::text, h.debits_posted::text, h.credits_posted::text, h.debits_pending::text, h.credits_pending::text
           FROM account_balances h JOIN transfers t ON t.sequence = h.transfer_sequence
          WHERE h.tenant_id = $1 ORDER BY h.account_id, h.committed_at, h.transfer_sequence`, [tenantId]);
      const running = new Map<string, [bigint, bigint, bigint, bigint]>();
      for (const row of history.rows) {
        assert.ok(row.kind === 'posted' || row.kind === 'pending', row.kind);
        const sums = running.get(row.account_id) ?? [0n, 0n, 0n, 0n];
        // [debits posted, credits posted, debits pending, credits pending]
        const column = (row.debit_account_id === row.account_id ? 0 : 1) + (row.kind === 'pending' ? 2 : 0);
        sums[column] = (sums[column] ?? 0n) + BigInt(row.amount_minor);
        running.set(row.account_id, sums);
        assert.deepEqual([row.debits_posted, row.credits_posted, row.debits_pending, row.credits_pending].map(BigInt), sums, `history of ${row.account_id}`);
      }
      const accounts = await first.getAccounts(tenantId, [...running.keys()] as AccountId[]);
      for (const [accountId, sums] of running) {
        const account = accounts.get(accountId as AccountId);
        assert.deepEqual([account?.debitsPosted, account?.creditsPosted, account?.debitsPending, account?.creditsPending], sums, `balances of ${accountId}`);
      }
    });
  }

  void it('shifts, in one round trip, unlimited accounts another process moved meanwhile, keeping each history a running sum', async () => {
    const tenantId = await funded();
    assertOk(await first.commit(pay(tenantId, 'pay-1', 5n)));
    // Another process pays 7 between the same accounts and holds 4 more; the first remembers them as before.
    assertOk(await second.commit(pay(tenantId, 'pay-2', 7n)));
    assertOk(await second.commit({
      tenantId, at, transfers: [{ id: 'hold-2' as TransferId, kind: 'pending', debitAccountId: 'funding' as AccountId, creditAccountId: merchant, amountMinor: 4n, currency: 'NGN', code: 'hold' }],
    }));
    const before = first.batchCounts();
    assertOk(await first.commit(pay(tenantId, 'pay-3', 3n)));
    assert.deepEqual(difference(first.batchCounts(), before), { remembered: 1, read: 0, stale: 0, shifted: 1 }, 'written once, shifted by what the other process moved');
    // What the process remembers was corrected: the next batch is neither shifted nor stale.
    assertOk(await first.commit(pay(tenantId, 'pay-4', 1n)));
    assert.deepEqual(difference(first.batchCounts(), before), { remembered: 2, read: 0, stale: 0, shifted: 1 });
    const accounts = await second.getAccounts(tenantId, ['funding' as AccountId, merchant]);
    assert.deepEqual([accounts.get('funding' as AccountId)?.debitsPosted, accounts.get('funding' as AccountId)?.debitsPending], [100n + 16n, 4n]);
    assert.deepEqual([accounts.get(merchant)?.creditsPosted, accounts.get(merchant)?.creditsPending], [16n, 4n]);
    await assertHistoryRunningSums(tenantId);
  });

  void it('stamps a shifted batch after the last commit another process made of its accounts, however late that was stamped', async () => {
    const tenantId = await funded();
    assertOk(await first.commit(pay(tenantId, 'late-1', 5n)));
    // A process whose clock is an hour ahead: the accounts' last commit is stamped then.
    const hourAhead = Date.now() + 3_600_000;
    const ahead = openPostgresStore({ connectionString: schema.url, clock: { now: () => hourAhead } });
    let aheadAt: number;
    try {
      const result = await ahead.commit(pay(tenantId, 'late-2', 7n));
      assert.ok(result.ok);
      aheadAt = result.committedAt;
    } finally {
      await ahead.close();
    }
    const before = first.batchCounts();
    const shifted = await first.commit(pay(tenantId, 'late-3', 3n));
    assert.ok(shifted.ok);
    assert.equal(shifted.committedAt, aheadAt + 1, 'the committedAt its caller is given is the one stored');
    assert.deepEqual(difference(first.batchCounts(), before), { remembered: 1, read: 0, stale: 0, shifted: 1 });
    // The process remembers the stamp: its next batch on the accounts is neither stale nor shifted.
    const next = await first.commit(pay(tenantId, 'late-4', 1n));
    assert.ok(next.ok && next.committedAt > aheadAt + 1);
    assert.deepEqual(difference(first.batchCounts(), before), { remembered: 2, read: 0, stale: 0, shifted: 1 });
    const stored = await first.getTransfer(tenantId, 'late-3' as TransferId);
    assert.equal(stored?.committedAt, aheadAt + 1);
    await assertHistoryRunningSums(tenantId);
  });

  void it('keeps every balance and history exact with two processes paying between the same unlimited accounts at once', async () => {
    const tenantId = await funded();
    const third = 'third' as AccountId;
    assertOk(await first.commit({ tenantId, at, accounts: [{ id: third, tenantId, type: 'merchant', currency: 'NGN', name: 'third', allowNegative: true }] }));
    const accounts = ['funding' as AccountId, merchant, third];
    const before = [first.batchCounts(), second.batchCounts()] as const;
    // Rounds of 8 at once, 4 through each store, so that their batches interleave.
    for (let round = 0; round < 40; round++) {
      const results = await Promise.all(Array.from({ length: 8 }, (_, slot) => {
        const index = round * 8 + slot;
        const debit = accounts[index % 3]!;
        const credit = accounts[(index + 1 + (index % 2)) % 3]!;
        return (slot % 2 === 0 ? first : second).commit({
          tenantId, at, transfers: [{ id: `c-${index}` as TransferId, kind: 'posted', debitAccountId: debit, creditAccountId: credit, amountMinor: BigInt(1 + (index % 7)), currency: 'NGN', code: 'pay' }],
        });
      }));
      for (const result of results) assertOk(result);
    }
    await assertHistoryRunningSums(tenantId);
    const totals = (await first.journalTotals(tenantId)).get('NGN');
    assert.equal(totals?.debits.debitsPosted, totals?.credits.creditsPosted);
    const batches = [difference(first.batchCounts(), before[0]), difference(second.batchCounts(), before[1])];
    assert.ok(batches.every((counts) => counts.remembered + counts.read > 0), JSON.stringify(batches));
    assert.ok(batches.some((counts) => counts.shifted > 0), `some batch was shifted: ${JSON.stringify(batches)}`);
  });

  void it('keeps an audit stream one unbroken chain when another process extends it meanwhile', async () => {
    const tenantId = await funded();
    const append = (id: string) => ({ id: id as AuditRecordId, stream: 'txn:shared', at, action: 'payment.note', initiator: 'test', status: 'NOTED' });
    assertOk(await first.commit(spend(tenantId, 'a-1', 1n, { audit: [append('audit-1')] })));
    assertOk(await second.commit(spend(tenantId, 'a-2', 1n, { audit: [append('audit-2')] })));
    // The first store remembers the head at sequence 1: its append at 2 is refused by the
    // database and decided again (at 3). The next one is stale on the balances as well.
    const before = first.batchCounts();
    assertOk(await first.commit({ tenantId, at, audit: [append('audit-3')] }));
    assertOk(await first.commit(spend(tenantId, 'a-3', 1n, { audit: [append('audit-4')] })));
    const verifier = createAuditVerifier();
    const heads = await first.scanAudit(tenantId, () => (record) => { verifier.visit(record); });
    const report = verifier.finish(heads, null);
    assert.equal(report.status, 'intact', JSON.stringify(report));
    assert.deepEqual(heads.map((head) => [head.stream, head.sequence]), [['txn:shared', 4]]);
    assert.equal(first.batchCounts().stale - before.stale, 2);
  });

  void it('gives a version conflict when another process changed a record the changeset expects unchanged', async () => {
    const tenantId = await funded();
    const record = (version: number, step: number) => ({ kind: 'payment', id: 'p-1', body: { step }, expectedVersion: version });
    assertOk(await first.commit(spend(tenantId, 'r-1', 1n, { records: [record(0, 1)] })));
    assertOk(await second.commit({ tenantId, at, records: [record(1, 2)] }));
    const result = await first.commit(spend(tenantId, 'r-2', 1n, { records: [record(1, 3)] }));
    assert.deepEqual(result, { ok: false, conflict: { kind: 'version', recordKind: 'payment', id: 'p-1' } });
    const stored = await first.getRecord(tenantId, 'payment', 'p-1');
    assert.deepEqual([stored?.version, stored?.body], [2, { step: 2 }]);
    const account = (await first.getAccounts(tenantId, [customer])).get(customer);
    assert.equal(account?.debitsPosted, 1n, 'the refused changeset moved nothing');
  });

  void it('refuses to resolve a hold another process resolved meanwhile', async () => {
    const tenantId = await funded();
    const hold: Changeset = {
      tenantId, at,
      transfers: [{ id: 'hold' as TransferId, kind: 'pending', debitAccountId: customer, creditAccountId: merchant, amountMinor: 40n, currency: 'NGN', code: 'hold' }],
    };
    const resolve = (id: string, kind: 'post_pending' | 'void_pending', amountMinor: bigint): Changeset => ({
      tenantId, at,
      transfers: [{ id: id as TransferId, kind, pendingId: 'hold' as TransferId, pendingAmountMinor: 40n, debitAccountId: customer, creditAccountId: merchant, amountMinor, currency: 'NGN', code: 'resolve' }],
    });
    assertOk(await first.commit(hold));
    assertOk(await second.commit(resolve('post', 'post_pending', 40n)));
    const result = await first.commit(resolve('void', 'void_pending', 40n));
    assert.deepEqual(result, { ok: false, conflict: { kind: 'pending_resolved', transferId: 'hold' } });
    const account = (await first.getAccounts(tenantId, [customer])).get(customer);
    assert.deepEqual([account?.debitsPosted, account?.debitsPending], [40n, 0n]);
  });

  void it('lists a tenant in the tenant list with its first commit, and leaves it out of the batches after', async () => {
    const prototype = pg.Client.prototype as unknown as { query: (this: pg.Client, config: unknown) => Promise<unknown> };
    const query = prototype.query;
    const sent: string[] = [];
    prototype.query = function (this: pg.Client, config: unknown): Promise<unknown> {
      const batch = config as { name?: unknown; values?: unknown[] } | null;
      if (typeof batch === 'object' && batch !== null && batch.name === 'contra_batch_commit_v10') sent.push(String(batch.values?.[1]));
      return query.call(this, config);
    };
    let tenantId: TenantId;
    try {
      tenantId = await funded();
      assertOk(await first.commit(spend(tenantId, 'later', 5n)));
    } finally {
      prototype.query = query;
    }
    const listsTenant = sent.map((document) => 'tenants' in (JSON.parse(document) as object));
    assert.deepEqual(listsTenant, [true, false, false], 'the opening batch lists the tenant, the funding and the spend do not');
    const listed = await withTestClient(schema.url, (client) => client.query<{ first_committed_at: string }>('SELECT first_committed_at FROM tenants WHERE tenant_id = $1', [tenantId]));
    assert.equal(listed.rows.length, 1);
  });

  void it('loses the answer to a committed batch without applying it twice or trusting what it remembered', async () => {
    const tenantId = await funded();
    assertOk(await first.commit(spend(tenantId, 'before', 10n)));
    // The connection fails after the one-round-trip batch committed, before its answer
    // came back: the caller cannot know, and the store must not assume either way.
    assert.equal(await losingNextBatchAnswer(() => assert.rejects(first.commit(spend(tenantId, 'lost-answer', 20n)), /Connection terminated/)), 1);
    const before = first.batchCounts();
    assertOk(await first.commit(spend(tenantId, 'after', 30n)));
    assert.equal(first.batchCounts().read - before.read, 1, 'what the lost batch touched is read again under lock');
    // A replay of the lost changeset is refused: it did commit.
    assert.deepEqual(await first.commit(spend(tenantId, 'lost-answer', 20n)), { ok: false, conflict: { kind: 'transfer_exists', transferId: 'lost-answer' } });
    const account = (await second.getAccounts(tenantId, [customer])).get(customer);
    assert.equal(account?.debitsPosted, 60n, '10 + 20 (committed, answer lost) + 30, each once');
    const totals = (await second.journalTotals(tenantId)).get('NGN');
    assert.equal(totals?.debits.debitsPosted, totals?.credits.creditsPosted);
  });

  void it('loses the answer to a shifted batch without applying it twice or trusting what it remembered', async () => {
    const tenantId = await funded();
    assertOk(await first.commit(pay(tenantId, 'shift-before', 5n)));
    assertOk(await second.commit(pay(tenantId, 'shift-other', 7n)));
    // The shifted batch commits; its answer (the shifts, the committedAt stored) is lost.
    const before = first.batchCounts();
    assert.equal(await losingNextBatchAnswer(() => assert.rejects(first.commit(pay(tenantId, 'shift-lost', 3n)), /Connection terminated/)), 1);
    assertOk(await first.commit(pay(tenantId, 'shift-after', 1n)));
    assert.deepEqual(difference(first.batchCounts(), before), { remembered: 0, read: 1, stale: 0, shifted: 0 }, 'what the lost batch touched is read again under lock');
    assert.deepEqual(await first.commit(pay(tenantId, 'shift-lost', 3n)), { ok: false, conflict: { kind: 'transfer_exists', transferId: 'shift-lost' } });
    const merchantAccount = (await second.getAccounts(tenantId, [merchant])).get(merchant);
    assert.equal(merchantAccount?.creditsPosted, 5n + 7n + 3n + 1n, 'each once');
    await assertHistoryRunningSums(tenantId);
  });

  void it('keeps the balance limit with two processes spending the same account, round after round', async () => {
    const tenantId = await funded();
    // Rounds in which both spend at once, so each store's memory keeps going stale.
    const results: CommitResult[] = [];
    for (let round = 0; round < 20; round++) {
      results.push(...await Promise.all([first, second, first, second].map((store, index) => store.commit(spend(tenantId, `race-${round}-${index}`, 3n)))));
    }
    const committed = results.filter((result) => result.ok).length;
    assert.equal(committed, 33, 'exactly as many as 100 affords');
    assert.ok(results.every((result) => result.ok || result.conflict.kind === 'balance_limit'));
    const account = (await first.getAccounts(tenantId, [customer])).get(customer);
    assert.equal(account?.debitsPosted, 99n);
  });
});

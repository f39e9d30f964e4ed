// Seeded simulation of the journal (L2–L5): a random workload of transfers, linked sets,
// holds, posts and voids across tenants and currencies. After every operation an auditor
// checks that debits equal credits per tenant and currency, that every account matches
// an independent model, and that a refused operation left the store byte-identical.
// A failure prints the seed; CONTRA_SEED=<n> replays it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import type { AccountId, TenantId, TransferId } from '../../src/domain/ids.ts';
import type { CurrencyCode } from '../../src/domain/money/currencies.ts';
import { accountTypes, breaksBalanceLimit, defaultAllowNegative, zeroBalances, type AccountBalances, type AccountType } from '../../src/domain/journal/accounts.ts';
import { applyDelta, balanceDeltas, type TransferWrite } from '../../src/domain/journal/transfers.ts';
import type { Changeset } from '../../src/app/ports/store.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type ModelAccount = { id: AccountId; tenantId: TenantId; currency: CurrencyCode; type: AccountType; allowNegative: boolean; balances: AccountBalances };
type Hold = { id: TransferId; tenantId: TenantId; transfer: TransferWrite; resolved: boolean };

const tenants = ['ten_SIMA', 'ten_SIMB'] as TenantId[];
const currencies: CurrencyCode[] = ['NGN', 'USD', 'JPY'];
const operations = 400;

async function runWorkload(seed: number): Promise<void> {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const directory = mkdtempSync(join(tmpdir(), 'contra-sim-'));
  let now = 1_700_000_000_000;
  const store = await openSqliteStore({ path: join(directory, 'sim.db'), clock: { now: () => now } });
  await store.migrate();
  const model = new Map<string, ModelAccount>();
  const holds: Hold[] = [];
  let nextId = 0;
  try {
    for (const tenantId of tenants) {
      for (const currency of currencies) {
        const accounts = accountTypes.map((type, index) => ({
          id: `${currency}-${type}-${index}` as AccountId, tenantId, currency, type,
          allowNegative: random() < 0.5 ? defaultAllowNegative(type) : false, balances: zeroBalances,
        }));
        const committed = await store.commit({ tenantId, at: now, accounts: accounts.map(({ balances: _b, ...definition }) => ({ ...definition, name: definition.id })) });
        assert.ok(committed.ok);
        for (const account of accounts) model.set(`${tenantId}/${account.id}`, account);
      }
    }
    const accountsOf = (tenantId: TenantId, currency: CurrencyCode) => [...model.values()].filter((a) => a.tenantId === tenantId && a.currency === currency);
    const newTransfer = (tenantId: TenantId, currency: CurrencyCode, kind: 'posted' | 'pending'): TransferWrite => {
      const [debit, credit] = (() => {
        const candidates = accountsOf(tenantId, currency);
        const first = pick(candidates);
        let second = pick(candidates);
        while (second.id === first.id) second = pick(candidates);
        return [first, second];
      })();
      return { id: `trf_${++nextId}` as TransferId, kind, debitAccountId: debit.id, creditAccountId: credit.id, amountMinor: BigInt(1 + Math.floor(random() * 50_000)), currency, code: 'sim' };
    };
    for (let step = 0; step < operations; step++) {
      now += 1 + Math.floor(random() * 1000);
      const tenantId = pick(tenants);
      const currency = pick(currencies);
      const roll = random();
      let transfers: TransferWrite[];
      const open = holds.filter((hold) => hold.tenantId === tenantId && !hold.resolved);
      if (roll < 0.35) transfers = [newTransfer(tenantId, currency, 'posted')];
      else if (roll < 0.5) transfers = [newTransfer(tenantId, currency, 'posted'), newTransfer(tenantId, currency, 'posted'), newTransfer(tenantId, currency, 'posted')];
      else if (roll < 0.7) transfers = [newTransfer(tenantId, currency, 'pending')];
      else if (roll < 0.9 && open.length > 0) {
        const hold = pick(open);
        const partial = random() < 0.5;
        const amountMinor = partial ? hold.transfer.amountMinor / 2n : hold.transfer.amountMinor;
        transfers = [{ ...hold.transfer, id: `trf_${++nextId}` as TransferId, kind: 'post_pending', amountMinor, pendingId: hold.id, pendingAmountMinor: hold.transfer.amountMinor }];
      } else if (holds.some((hold) => hold.tenantId === tenantId)) {
        // Resolving an open hold, or trying to resolve one a second time (must be refused).
        const hold = pick(open.length > 0 ? open : holds.filter((candidate) => candidate.tenantId === tenantId));
        transfers = [{ ...hold.transfer, id: `trf_${++nextId}` as TransferId, kind: 'void_pending', amountMinor: hold.transfer.amountMinor, pendingId: hold.id, pendingAmountMinor: hold.transfer.amountMinor }];
      } else transfers = [newTransfer(tenantId, currency, 'posted')];

      const expected = expectedOutcome(model, holds, tenantId, transfers);
      const before = await store.dumpState();
      const changeset: Changeset = { tenantId, at: now, transfers };
      const result = await store.commit(changeset);
      assert.equal(result.ok, expected.ok, `seed ${seed} step ${step}: store said ${JSON.stringify(result)} for ${transfers.map((t) => t.kind).join(',')}, model said ${expected.ok}`);
      if (result.ok) {
        for (const [key, balances] of expected.balances) model.get(key)!.balances = balances;
        for (const transfer of transfers) {
          if (transfer.kind === 'pending') holds.push({ id: transfer.id, tenantId, transfer, resolved: false });
          if (transfer.pendingId !== undefined) holds.find((hold) => hold.id === transfer.pendingId)!.resolved = true;
        }
      } else {
        assert.equal(await store.dumpState(), before, `seed ${seed} step ${step}: a refused changeset changed the store`);
      }
      await assertLedgerBalances(store, tenants);
      const stored = await store.getAccounts(tenantId, accountsOf(tenantId, currency).map((account) => account.id));
      for (const account of accountsOf(tenantId, currency)) {
        const actual = stored.get(account.id)!;
        assert.deepEqual(
          [actual.debitsPosted, actual.creditsPosted, actual.debitsPending, actual.creditsPending],
          [account.balances.debitsPosted, account.balances.creditsPosted, account.balances.debitsPending, account.balances.creditsPending],
          `seed ${seed} step ${step}: ${account.id} differs from the model`,
        );
      }
    }
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The model's verdict: all transfers apply in order, or none (a limit or a resolved hold refuses the set). */
function expectedOutcome(model: Map<string, ModelAccount>, holds: Hold[], tenantId: TenantId, transfers: TransferWrite[]): { ok: boolean; balances: Map<string, AccountBalances> } {
  const balances = new Map<string, AccountBalances>();
  const current = (id: AccountId) => balances.get(`${tenantId}/${id}`) ?? model.get(`${tenantId}/${id}`)!.balances;
  for (const transfer of transfers) {
    if (transfer.pendingId !== undefined && holds.find((hold) => hold.id === transfer.pendingId)?.resolved !== false) return { ok: false, balances };
    const deltas = balanceDeltas(transfer);
    for (const [id, delta] of [[transfer.debitAccountId, deltas.debit], [transfer.creditAccountId, deltas.credit]] as const) {
      const account = model.get(`${tenantId}/${id}`)!;
      const next = applyDelta(current(id), delta);
      if (breaksBalanceLimit({ type: account.type, allowNegative: account.allowNegative, ...next })) return { ok: false, balances };
      balances.set(`${tenantId}/${id}`, next);
    }
  }
  return { ok: true, balances };
}

describe('journal simulation', () => {
  const seeds = process.env['CONTRA_SEED'] === undefined ? [1, 2, 3] : [Number(process.env['CONTRA_SEED'])];
  for (const seed of seeds) {
    it(`keeps debits equal to credits and refusals without trace (seed ${seed})`, async () => {
      await runWorkload(seed);
    });
  }
});

// The benchmark's baselines (bench/postgres-ledgers.ts) are ledgers, not stand-ins: under 8
// callers at once every transfer is written with its two entries, balances sum to zero, each
// entry carries the balance before and after its account's move in version order, and the
// pgledger-equivalent spells its ids as "<prefix>_<ULID>" exactly as a ULID encoder does.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { openPgledgerEquivalent, openPureSql, type Ledger } from '../../bench/postgres-ledgers.ts';
import { runConcurrently } from '../../bench/run-concurrently.ts';
import { probeTestDatabase, testDatabaseUrl } from '../../src/adapters/store/postgres/test-database.ts';

const availability = await probeTestDatabase();
const skip = availability.available ? false : `no PostgreSQL: ${availability.reason}`;

/** Crockford's base 32 of 128 bits with two leading zero bits: the ULID spelling of a UUID, computed here independently. */
function ulidOf(uuid: string): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let value = BigInt(`0x${uuid.replaceAll('-', '')}`);
  let spelled = '';
  for (let index = 0; index < 26; index++) {
    spelled = (alphabet[Number(value & 31n)] ?? '?') + spelled;
    value >>= 5n;
  }
  return spelled;
}

describe('the benchmark baselines on PostgreSQL', { skip }, () => {
  let admin: pg.Client;
  const opened: Ledger[] = [];

  before(async () => {
    admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
  });

  after(async () => {
    for (const ledger of opened) await ledger.close();
    await admin.end();
  });

  it('pgledger-equivalent: spells a UUID as a ULID does, for the extremes and for random ones', async () => {
    const ledger = await openPgledgerEquivalent(admin, 2, 1);
    opened.push(ledger);
    const uuids = ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', ...Array.from({ length: 200 }, () => {
      const hex = randomBytes(16).toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    })];
    const spelled = await admin.query<{ uuid: string; ulid: string }>(`SELECT u::text AS uuid, ${ledger.applicationName}.pgl_ulid(u) AS ulid FROM unnest($1::uuid[]) AS u`, [uuids]);
    assert.equal(spelled.rows.length, uuids.length);
    for (const row of spelled.rows) assert.equal(row.ulid, ulidOf(row.uuid), row.uuid);
    assert.equal(spelled.rows[1]?.ulid, '7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
  });

  it('pgledger-equivalent: 400 transfers from 8 callers on 5 accounts balance, each with two entries in version order', async () => {
    const ledger = await openPgledgerEquivalent(admin, 5, 8);
    opened.push(ledger);
    await runConcurrently(400, 8, (index) => ledger.transfer(index), () => undefined);
    const schema = ledger.applicationName;
    const totals = await admin.query<{ transfers: string; entries: string; balance: string; versions: string }>(`SELECT
        (SELECT count(*) FROM ${schema}.pgl_transfers) AS transfers, (SELECT count(*) FROM ${schema}.pgl_entries) AS entries,
        (SELECT sum(balance)::numeric::text FROM ${schema}.pgl_accounts) AS balance, (SELECT sum(version) FROM ${schema}.pgl_accounts) AS versions`);
    assert.deepEqual(totals.rows[0], { transfers: '400', entries: '800', balance: '0.00', versions: '800' });
    const broken = await admin.query(`SELECT e.id FROM ${schema}.pgl_entries e
      JOIN ${schema}.pgl_accounts a ON a.id = e.account_id
      LEFT JOIN ${schema}.pgl_entries previous ON previous.account_id = e.account_id AND previous.account_version = e.account_version - 1
      WHERE e.account_current_balance - e.account_previous_balance <> e.amount::money
         OR (e.account_version > 1 AND previous.account_current_balance IS DISTINCT FROM e.account_previous_balance)`);
    assert.deepEqual(broken.rows, []);
    const ids = await admin.query<{ id: string }>(`SELECT id FROM ${schema}.pgl_transfers UNION ALL SELECT id FROM ${schema}.pgl_entries`);
    for (const { id } of ids.rows) assert.match(id, /^pgl[te]_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
  });

  it('pure-SQL ledger: 400 transfers from 8 callers on 5 accounts balance, each with two entries', async () => {
    const ledger = await openPureSql(admin, 5, 8);
    opened.push(ledger);
    await runConcurrently(400, 8, (index) => ledger.transfer(index), () => undefined);
    const schema = ledger.applicationName;
    const totals = await admin.query(`SELECT (SELECT count(*) FROM ${schema}.sql_transfers)::int AS transfers, (SELECT count(*) FROM ${schema}.sql_entries)::int AS entries,
        (SELECT sum(balance) FROM ${schema}.sql_accounts)::int AS balance, (SELECT sum(version) FROM ${schema}.sql_accounts)::int AS versions`);
    assert.deepEqual(totals.rows[0], { transfers: 400, entries: 800, balance: 0, versions: 800 });
  });
});

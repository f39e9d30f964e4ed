// The ledgers `bench:postgres` measures Contra against, each in a schema of its own on the
// same server: two designs in SQL alone, one PL/pgSQL call and one commit per transfer.
//
// - "pure-SQL ledger": the least such a ledger can do — lock both accounts in order, one
//   transfer row and two entry rows with integer keys from sequences, no secondary index.
// - "pgledger-equivalent": the work pgledger (github.com/pgr0ss/pgledger, the ledger the
//   issue's reference figures were measured with) does per transfer, written here from its
//   published design rather than taken from it: text ids "<prefix>_<ULID>" made in SQL from
//   a time-ordered UUID (the server's uuidv7() on PostgreSQL 18, built in SQL before), money
//   columns, the secondary indexes it keeps (transfers by each account and by event time,
//   entries by account and by transfer), balance-limit and currency checks, entries that
//   carry the balance before and after, and the created transfer read back through a view;
//   the one-transfer call goes through the many-transfer function, which locks the accounts
//   one by one in id order.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testDatabaseUrl } from '../src/adapters/store/postgres/test-database.ts';

/** One ledger under test, in a schema of its own whose connections carry the schema's name as application_name. */
export type Ledger = {
  readonly name: string;
  readonly applicationName: string;
  /** One transfer between two random accounts; `index` is unique within the scenario. */
  transfer(index: number): Promise<void>;
  close(): Promise<void>;
};

export type Schema = { readonly url: string; readonly name: string; drop(): Promise<void> };

/** A fresh schema, created and later dropped through `admin`. */
export async function openSchema(admin: pg.Client): Promise<Schema> {
  const name = `bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${name}`);
  const url = new URL(testDatabaseUrl());
  url.searchParams.set('options', `-c search_path=${name}`);
  url.searchParams.set('application_name', name);
  return { url: url.toString(), name, drop: async () => { await admin.query(`DROP SCHEMA ${name} CASCADE`); } };
}

/** Two different accounts out of `accounts`, uniformly. */
export function pick(accounts: number): [number, number] {
  const from = Math.floor(Math.random() * accounts);
  let to = Math.floor(Math.random() * (accounts - 1));
  if (to >= from) to++;
  return [from, to];
}

/** The least a ledger in SQL does: each transfer one function call in its own transaction. */
const pureSqlLedger = `
CREATE TABLE sql_accounts (id integer PRIMARY KEY, balance bigint NOT NULL, version bigint NOT NULL);
CREATE TABLE sql_transfers (id bigserial PRIMARY KEY, from_id integer NOT NULL REFERENCES sql_accounts, to_id integer NOT NULL REFERENCES sql_accounts,
  amount bigint NOT NULL CHECK (amount > 0), created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE sql_entries (id bigserial PRIMARY KEY, account_id integer NOT NULL REFERENCES sql_accounts, transfer_id bigint NOT NULL REFERENCES sql_transfers,
  amount bigint NOT NULL, balance_after bigint NOT NULL, version bigint NOT NULL);
CREATE FUNCTION sql_transfer(p_from integer, p_to integer, p_amount bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE t bigint; a record;
BEGIN
  PERFORM 1 FROM sql_accounts WHERE id IN (p_from, p_to) ORDER BY id FOR UPDATE;
  INSERT INTO sql_transfers (from_id, to_id, amount) VALUES (p_from, p_to, p_amount) RETURNING id INTO t;
  UPDATE sql_accounts SET balance = balance - p_amount, version = version + 1 WHERE id = p_from RETURNING balance, version INTO a;
  INSERT INTO sql_entries (account_id, transfer_id, amount, balance_after, version) VALUES (p_from, t, -p_amount, a.balance, a.version);
  UPDATE sql_accounts SET balance = balance + p_amount, version = version + 1 WHERE id = p_to RETURNING balance, version INTO a;
  INSERT INTO sql_entries (account_id, transfer_id, amount, balance_after, version) VALUES (p_to, t, p_amount, a.balance, a.version);
  RETURN t;
END $$;
`;

export async function openPureSql(admin: pg.Client, accounts: number, clients: number): Promise<Ledger> {
  const schema = await openSchema(admin);
  const pool = new pg.Pool({ connectionString: schema.url, max: Math.min(clients, 32) });
  await pool.query(pureSqlLedger);
  await pool.query('INSERT INTO sql_accounts SELECT g, 0, 0 FROM generate_series(0, $1 - 1) AS g', [accounts]);
  return {
    name: 'pure-SQL ledger',
    applicationName: schema.name,
    async transfer(): Promise<void> {
      const [from, to] = pick(accounts);
      await pool.query('SELECT sql_transfer($1, $2, 100)', [from, to]);
    },
    async close(): Promise<void> {
      await pool.end();
      await schema.drop();
    },
  };
}

/**
 * The 26 statements that spell a UUID's 128 bits in Crockford's base 32, as a ULID does: two
 * zero bits, then groups of five read from a 16-bit window of the bytes, one character each.
 */
function ulidCharacters(): string {
  return Array.from({ length: 26 }, (_, group) => {
    if (group === 0) return '  s := s || substr(a, (get_byte(b, 0) >> 5) + 1, 1);';
    const firstBit = 5 * group - 2;
    const byte = Math.floor(firstBit / 8);
    const window = byte + 1 < 16 ? `(get_byte(b, ${byte}) << 8 | get_byte(b, ${byte + 1}))` : `(get_byte(b, ${byte}) << 8)`;
    return `  s := s || substr(a, ((${window} >> ${11 - (firstBit % 8)}) & 31) + 1, 1);`;
  }).join('\n');
}

/** pgledger's work per transfer (see the top of this file), in this file's own SQL. */
const pgledgerEquivalent = `
CREATE FUNCTION pgl_uuid7_in_sql() RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT encode(set_byte(b, 6, (get_byte(b, 6) & 15) | 112), 'hex')::uuid
  FROM (SELECT overlay(uuid_send(gen_random_uuid()) PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1) AS b) AS s
$$;
CREATE FUNCTION pgl_server_has_uuidv7() RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT EXISTS (SELECT FROM pg_proc WHERE proname = 'uuidv7') $$;
CREATE FUNCTION pgl_uuid7() RETURNS uuid LANGUAGE plpgsql VOLATILE AS $$
DECLARE u uuid;
BEGIN
  IF pgl_server_has_uuidv7() THEN
    EXECUTE 'SELECT uuidv7()' INTO u;
    RETURN u;
  END IF;
  RETURN pgl_uuid7_in_sql();
END $$;
CREATE FUNCTION pgl_ulid(u uuid) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE a text := '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; b bytea := uuid_send(u); s text := '';
BEGIN
${ulidCharacters()}
  RETURN s;
END $$;
CREATE FUNCTION pgl_id(prefix text) RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT prefix || '_' || pgl_ulid(pgl_uuid7()) $$;

CREATE TABLE pgl_accounts (
  id text PRIMARY KEY DEFAULT pgl_id('pgla'), name text NOT NULL, currency text NOT NULL,
  balance money NOT NULL DEFAULT 0, version bigint NOT NULL DEFAULT 0,
  allow_negative_balance boolean NOT NULL, allow_positive_balance boolean NOT NULL,
  metadata jsonb, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE pgl_transfers (
  id text PRIMARY KEY DEFAULT pgl_id('pglt'),
  from_account_id text NOT NULL REFERENCES pgl_accounts (id), to_account_id text NOT NULL REFERENCES pgl_accounts (id),
  amount money NOT NULL, created_at timestamptz NOT NULL, event_at timestamptz NOT NULL, metadata jsonb,
  CHECK (amount > 0::money AND from_account_id <> to_account_id));
CREATE INDEX ON pgl_transfers (from_account_id);
CREATE INDEX ON pgl_transfers (to_account_id);
CREATE INDEX ON pgl_transfers (event_at);
CREATE TABLE pgl_entries (
  id text PRIMARY KEY DEFAULT pgl_id('pgle'),
  account_id text NOT NULL REFERENCES pgl_accounts (id), transfer_id text NOT NULL REFERENCES pgl_transfers (id),
  amount numeric NOT NULL, account_previous_balance money NOT NULL, account_current_balance money NOT NULL,
  account_version bigint NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX ON pgl_entries (account_id);
CREATE INDEX ON pgl_entries (transfer_id);
CREATE VIEW pgl_transfers_view AS SELECT id, from_account_id, to_account_id, amount, created_at, event_at, metadata FROM pgl_transfers;
CREATE TYPE pgl_transfer_request AS (from_account_id text, to_account_id text, amount money);

CREATE FUNCTION pgl_check_balance(a pgl_accounts) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF a.balance < 0::money AND NOT a.allow_negative_balance THEN RAISE EXCEPTION 'account % may not go negative', a.id; END IF;
  IF a.balance > 0::money AND NOT a.allow_positive_balance THEN RAISE EXCEPTION 'account % may not go positive', a.id; END IF;
END $$;

CREATE FUNCTION pgl_create_transfers(requests pgl_transfer_request[], p_event_at timestamptz DEFAULT NULL, p_metadata jsonb DEFAULT NULL)
RETURNS SETOF pgl_transfers_view LANGUAGE plpgsql AS $$
DECLARE
  r pgl_transfer_request; ids text[] := '{}'; locked text[] := '{}'; account_id text; new_id text;
  debited pgl_accounts; credited pgl_accounts;
BEGIN
  FOREACH r IN ARRAY requests LOOP locked := locked || r.from_account_id || r.to_account_id; END LOOP;
  SELECT ARRAY(SELECT DISTINCT x FROM unnest(locked) AS x ORDER BY x) INTO locked;
  FOREACH account_id IN ARRAY locked LOOP
    PERFORM 1 FROM pgl_accounts WHERE id = account_id FOR UPDATE;
  END LOOP;
  FOREACH r IN ARRAY requests LOOP
    IF r.amount <= 0::money THEN RAISE EXCEPTION 'amount % is not positive', r.amount; END IF;
    IF r.from_account_id = r.to_account_id THEN RAISE EXCEPTION 'transfer from % to itself', r.from_account_id; END IF;
    UPDATE pgl_accounts SET balance = balance - r.amount, version = version + 1, updated_at = now() WHERE id = r.from_account_id RETURNING * INTO debited;
    PERFORM pgl_check_balance(debited);
    UPDATE pgl_accounts SET balance = balance + r.amount, version = version + 1, updated_at = now() WHERE id = r.to_account_id RETURNING * INTO credited;
    PERFORM pgl_check_balance(credited);
    IF debited.currency <> credited.currency THEN RAISE EXCEPTION 'currencies differ: % and %', debited.currency, credited.currency; END IF;
    INSERT INTO pgl_transfers (from_account_id, to_account_id, amount, created_at, event_at, metadata)
      VALUES (r.from_account_id, r.to_account_id, r.amount, now(), coalesce(p_event_at, now()), p_metadata) RETURNING id INTO new_id;
    ids := ids || new_id;
    INSERT INTO pgl_entries (account_id, transfer_id, amount, account_previous_balance, account_current_balance, account_version, created_at)
      VALUES (r.from_account_id, new_id, -(r.amount::numeric), debited.balance + r.amount, debited.balance, debited.version, now());
    INSERT INTO pgl_entries (account_id, transfer_id, amount, account_previous_balance, account_current_balance, account_version, created_at)
      VALUES (r.to_account_id, new_id, r.amount::numeric, credited.balance - r.amount, credited.balance, credited.version, now());
  END LOOP;
  RETURN QUERY SELECT * FROM pgl_transfers_view WHERE id = ANY (ids) ORDER BY id;
END $$;

CREATE FUNCTION pgl_create_transfer(p_from text, p_to text, p_amount money, p_event_at timestamptz DEFAULT NULL, p_metadata jsonb DEFAULT NULL)
RETURNS SETOF pgl_transfers_view LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY SELECT * FROM pgl_create_transfers(ARRAY[(p_from, p_to, p_amount)::pgl_transfer_request], p_event_at, p_metadata);
END $$;
`;

export async function openPgledgerEquivalent(admin: pg.Client, accounts: number, clients: number): Promise<Ledger> {
  const schema = await openSchema(admin);
  const pool = new pg.Pool({ connectionString: schema.url, max: Math.min(clients, 32) });
  await pool.query(pgledgerEquivalent);
  const opened = await pool.query<{ id: string }>(
    `INSERT INTO pgl_accounts (name, currency, allow_negative_balance, allow_positive_balance, created_at, updated_at)
     SELECT 'account ' || g, 'NGN', true, true, now(), now() FROM generate_series(1, $1) AS g RETURNING id`, [accounts]);
  const ids = opened.rows.map((row) => row.id);
  return {
    name: 'pgledger-equivalent',
    applicationName: schema.name,
    async transfer(): Promise<void> {
      const [from, to] = pick(accounts);
      const created = await pool.query<{ id: string }>('SELECT id FROM pgl_create_transfer($1, $2, $3)', [ids[from], ids[to], '1.00']);
      if (created.rows.length !== 1) throw new Error('pgledger-equivalent: the transfer was not read back');
    },
    async close(): Promise<void> {
      await pool.end();
      await schema.drop();
    },
  };
}

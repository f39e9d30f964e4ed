// The PostgreSQL schema, continued: migration v8, one index on the balance history.

/**
 * The balance history had two indexes: its primary key (tenant, account, transfer
 * sequence), for an account's transfers in order, and (tenant, account, committed_at,
 * transfer sequence), for balances as of a time. For any one account both orders are the
 * same: a later commit of an account has a later committedAt (one batch's rows share it)
 * and, taken after the account's lock, a later transfer sequence
 * (docs/operating/postgresql.md). So the second serves both, and becomes the primary key:
 * each transfer writes two history rows, and each index costs every one of them an
 * insert (measured: ~10% less server CPU per transfer, bench/README.md). An account's
 * transfers are listed in (committed_at, sequence) order, which is sequence order.
 * Rebuilding the key locks the table while it builds: on a large history, run it in a
 * quiet moment.
 */
export const schemaVersion8 = `
ALTER TABLE account_balances DROP CONSTRAINT account_balances_pkey;
DROP INDEX account_balances_as_of;
ALTER TABLE account_balances ADD PRIMARY KEY (tenant_id, account_id, committed_at, transfer_sequence);
`;

// The first schema of the SQLite store: records, the journal (accounts, transfers, balance
// history), the PaymentLedger, the audit trail and the outbox, every row under a tenant.

/** Tables whose rows are never updated or deleted; triggers enforce it in the database too. */
export const appendOnlyTables = ['transfers', 'account_balances', 'ledger_entries', 'audit_records', 'audit_checkpoints'] as const;

const tables = `
CREATE TABLE store_meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE tenants (
  tenant_id TEXT PRIMARY KEY,
  first_committed_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  body TEXT NOT NULL CHECK (json_valid(body)),
  index_key TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (tenant_id, kind, id)
);
CREATE INDEX records_by_kind ON records (tenant_id, kind, seq);
CREATE INDEX records_by_index_key ON records (tenant_id, kind, index_key, seq) WHERE index_key IS NOT NULL;

CREATE TABLE accounts (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  currency TEXT NOT NULL,
  name TEXT NOT NULL,
  allow_negative INTEGER NOT NULL CHECK (allow_negative IN (0, 1)),
  created_at INTEGER NOT NULL,
  debits_posted INTEGER NOT NULL CHECK (debits_posted >= 0),
  credits_posted INTEGER NOT NULL CHECK (credits_posted >= 0),
  debits_pending INTEGER NOT NULL CHECK (debits_pending >= 0),
  credits_pending INTEGER NOT NULL CHECK (credits_pending >= 0),
  PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;

CREATE TABLE transfers (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('posted', 'pending', 'post_pending', 'void_pending')),
  debit_account_id TEXT NOT NULL,
  credit_account_id TEXT NOT NULL,
  amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
  currency TEXT NOT NULL,
  pending_id TEXT,
  pending_amount_minor INTEGER,
  transaction_id TEXT,
  code TEXT NOT NULL,
  corrects_transfer_id TEXT,
  description TEXT,
  committed_at INTEGER NOT NULL,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, debit_account_id) REFERENCES accounts (tenant_id, id),
  FOREIGN KEY (tenant_id, credit_account_id) REFERENCES accounts (tenant_id, id),
  FOREIGN KEY (tenant_id, pending_id) REFERENCES transfers (tenant_id, id)
);
-- A pending transfer is posted or voided at most once: the second resolution cannot be stored.
CREATE UNIQUE INDEX transfers_resolved_once ON transfers (tenant_id, pending_id) WHERE pending_id IS NOT NULL;
CREATE INDEX transfers_by_transaction ON transfers (tenant_id, transaction_id, sequence) WHERE transaction_id IS NOT NULL;

-- Balances of an account just after each transfer that touched it (L5).
CREATE TABLE account_balances (
  tenant_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  transfer_sequence INTEGER NOT NULL REFERENCES transfers (sequence),
  committed_at INTEGER NOT NULL,
  debits_posted INTEGER NOT NULL,
  credits_posted INTEGER NOT NULL,
  debits_pending INTEGER NOT NULL,
  credits_pending INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, account_id, transfer_sequence),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
) WITHOUT ROWID;
CREATE INDEX account_balances_as_of ON account_balances (tenant_id, account_id, committed_at, transfer_sequence);

CREATE TABLE ledger_entries (
  tenant_id TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  sequence INTEGER NOT NULL CHECK (sequence >= 1),
  status TEXT NOT NULL,
  at INTEGER NOT NULL,
  transfer_ids TEXT NOT NULL CHECK (json_valid(transfer_ids)),
  details TEXT NOT NULL CHECK (json_valid(details)),
  committed_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, transaction_id, sequence)
) WITHOUT ROWID;

CREATE TABLE audit_records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  stream TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  id TEXT NOT NULL,
  at INTEGER NOT NULL,
  action TEXT NOT NULL,
  initiator TEXT NOT NULL,
  transaction_id TEXT,
  refund_id TEXT,
  reversal_id TEXT,
  amount TEXT,
  currency TEXT,
  status TEXT NOT NULL,
  reason TEXT,
  details TEXT,
  previous_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (tenant_id, stream, sequence),
  UNIQUE (tenant_id, id)
);
CREATE INDEX audit_records_by_tenant ON audit_records (tenant_id, seq);
CREATE INDEX audit_records_by_transaction ON audit_records (tenant_id, transaction_id, seq) WHERE transaction_id IS NOT NULL;
CREATE INDEX audit_records_by_initiator ON audit_records (tenant_id, initiator, seq);
CREATE INDEX audit_records_by_action ON audit_records (tenant_id, action, seq);
CREATE INDEX audit_records_by_time ON audit_records (tenant_id, at, seq);

CREATE TABLE audit_heads (
  tenant_id TEXT NOT NULL,
  stream TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (tenant_id, stream)
) WITHOUT ROWID;

CREATE TABLE audit_checkpoints (
  tenant_id TEXT NOT NULL,
  sequence INTEGER NOT NULL CHECK (sequence >= 1),
  at INTEGER NOT NULL,
  heads_hash TEXT NOT NULL,
  heads TEXT NOT NULL CHECK (json_valid(heads)),
  stream_count INTEGER NOT NULL,
  record_count INTEGER NOT NULL,
  previous_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (tenant_id, sequence)
) WITHOUT ROWID;

CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  topic TEXT NOT NULL,
  at INTEGER NOT NULL,
  payload TEXT NOT NULL CHECK (json_valid(payload)),
  committed_at INTEGER NOT NULL,
  UNIQUE (tenant_id, id)
);
`;

function appendOnlyTriggers(table: string): string {
  return `
CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
BEGIN SELECT RAISE(ABORT, '${table} is append-only: rows are never updated'); END;
CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
BEGIN SELECT RAISE(ABORT, '${table} is append-only: rows are never deleted'); END;
`;
}

/** Accounts change balances only; what an account is, and that it exists, never changes. */
const accountTriggers = `
CREATE TRIGGER accounts_definition_fixed BEFORE UPDATE OF tenant_id, id, type, currency, name, allow_negative, created_at ON accounts
BEGIN SELECT RAISE(ABORT, 'accounts: only balances change'); END;
CREATE TRIGGER accounts_no_delete BEFORE DELETE ON accounts
BEGIN SELECT RAISE(ABORT, 'accounts are never deleted'); END;
`;

export const schemaVersion1 = tables + appendOnlyTables.map(appendOnlyTriggers).join('') + accountTriggers;

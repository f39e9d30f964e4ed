// The PostgreSQL schema, as numbered migrations: the same tables as the SQLite store
// (records, journal, PaymentLedger, audit trail, outbox), then seed 004's multi-tenant
// tables with their unsafe types fixed. Every tenant table carries row-level security
// keyed on the tenants the current transaction declared (`contra.tenant_ids`), forced on
// the owner too, as a second wall behind the application's own checks.

/** Tables whose rows are never updated or deleted; triggers enforce it. */
export const appendOnlyTables = ['transfers', 'account_balances', 'ledger_entries', 'audit_records', 'audit_checkpoints'] as const;

/** Tables under row-level security: every table with a tenant_id except the tenant list itself. */
export const tenantTables = [
  'records', 'accounts', 'transfers', 'account_balances', 'ledger_entries', 'audit_records', 'audit_heads', 'audit_checkpoints', 'outbox',
] as const;

export const seedTables = ['failed_transactions', 'transaction_reversals', 'reconciliation_logs', 'dispute_cases', 'cbn_reversal_reports'] as const;

const coreTables = `
CREATE TABLE tenants (
  tenant_id text PRIMARY KEY,
  first_committed_at bigint NOT NULL
);

CREATE TABLE records (
  seq bigserial PRIMARY KEY,
  tenant_id text NOT NULL,
  kind text NOT NULL,
  id text NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  body json NOT NULL,
  index_key text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  UNIQUE (tenant_id, kind, id)
);
CREATE INDEX records_by_kind ON records (tenant_id, kind, seq);
CREATE INDEX records_by_index_key ON records (tenant_id, kind, index_key, seq) WHERE index_key IS NOT NULL;

CREATE TABLE accounts (
  tenant_id text NOT NULL,
  id text NOT NULL,
  type text NOT NULL,
  currency text NOT NULL,
  name text NOT NULL,
  allow_negative boolean NOT NULL,
  created_at bigint NOT NULL,
  debits_posted bigint NOT NULL CHECK (debits_posted >= 0),
  credits_posted bigint NOT NULL CHECK (credits_posted >= 0),
  debits_pending bigint NOT NULL CHECK (debits_pending >= 0),
  credits_pending bigint NOT NULL CHECK (credits_pending >= 0),
  -- The committedAt of the last transfer that touched the account: a later one is stamped after it.
  last_committed_at bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE transfers (
  sequence bigserial PRIMARY KEY,
  tenant_id text NOT NULL,
  id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('posted', 'pending', 'post_pending', 'void_pending')),
  debit_account_id text NOT NULL,
  credit_account_id text NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
  currency text NOT NULL,
  pending_id text,
  pending_amount_minor bigint,
  transaction_id text,
  code text NOT NULL,
  corrects_transfer_id text,
  description text,
  committed_at bigint NOT NULL,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, debit_account_id) REFERENCES accounts (tenant_id, id),
  FOREIGN KEY (tenant_id, credit_account_id) REFERENCES accounts (tenant_id, id),
  FOREIGN KEY (tenant_id, pending_id) REFERENCES transfers (tenant_id, id)
);
-- A pending transfer is posted or voided at most once: the second resolution cannot be stored.
CREATE UNIQUE INDEX transfers_resolved_once ON transfers (tenant_id, pending_id) WHERE pending_id IS NOT NULL;
CREATE INDEX transfers_by_transaction ON transfers (tenant_id, transaction_id, sequence) WHERE transaction_id IS NOT NULL;

CREATE TABLE account_balances (
  tenant_id text NOT NULL,
  account_id text NOT NULL,
  transfer_sequence bigint NOT NULL REFERENCES transfers (sequence),
  committed_at bigint NOT NULL,
  debits_posted bigint NOT NULL,
  credits_posted bigint NOT NULL,
  debits_pending bigint NOT NULL,
  credits_pending bigint NOT NULL,
  PRIMARY KEY (tenant_id, account_id, transfer_sequence),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
CREATE INDEX account_balances_as_of ON account_balances (tenant_id, account_id, committed_at, transfer_sequence);

CREATE TABLE ledger_entries (
  tenant_id text NOT NULL,
  transaction_id text NOT NULL,
  sequence integer NOT NULL CHECK (sequence >= 1),
  status text NOT NULL,
  at bigint NOT NULL,
  transfer_ids json NOT NULL,
  details json NOT NULL,
  committed_at bigint NOT NULL,
  PRIMARY KEY (tenant_id, transaction_id, sequence)
);

CREATE TABLE audit_records (
  seq bigserial PRIMARY KEY,
  tenant_id text NOT NULL,
  stream text NOT NULL,
  sequence integer NOT NULL,
  id text NOT NULL,
  at bigint NOT NULL,
  action text NOT NULL,
  initiator text NOT NULL,
  transaction_id text,
  refund_id text,
  reversal_id text,
  amount text,
  currency text,
  status text NOT NULL,
  reason text,
  details json,
  previous_hash text NOT NULL,
  hash text NOT NULL,
  UNIQUE (tenant_id, stream, sequence),
  UNIQUE (tenant_id, id)
);
CREATE INDEX audit_records_by_tenant ON audit_records (tenant_id, seq);
CREATE INDEX audit_records_by_transaction ON audit_records (tenant_id, transaction_id, seq) WHERE transaction_id IS NOT NULL;
CREATE INDEX audit_records_by_initiator ON audit_records (tenant_id, initiator, seq);
CREATE INDEX audit_records_by_action ON audit_records (tenant_id, action, seq);
CREATE INDEX audit_records_by_time ON audit_records (tenant_id, at, seq);

CREATE TABLE audit_heads (
  tenant_id text NOT NULL,
  stream text NOT NULL,
  sequence integer NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (tenant_id, stream)
);

CREATE TABLE audit_checkpoints (
  tenant_id text NOT NULL,
  sequence integer NOT NULL CHECK (sequence >= 1),
  at bigint NOT NULL,
  heads_hash text NOT NULL,
  heads json NOT NULL,
  stream_count integer NOT NULL,
  record_count integer NOT NULL,
  previous_hash text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (tenant_id, sequence)
);

CREATE TABLE outbox (
  seq bigserial PRIMARY KEY,
  tenant_id text NOT NULL,
  id text NOT NULL,
  topic text NOT NULL,
  at bigint NOT NULL,
  payload json NOT NULL,
  committed_at bigint NOT NULL,
  UNIQUE (tenant_id, id)
);
`;

const appendOnlyFunction = `
CREATE FUNCTION contra_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: rows are never %d', TG_TABLE_NAME, lower(TG_OP)
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE FUNCTION contra_accounts_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'accounts are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.tenant_id, NEW.id, NEW.type, NEW.currency, NEW.name, NEW.allow_negative, NEW.created_at)
     IS DISTINCT FROM (OLD.tenant_id, OLD.id, OLD.type, OLD.currency, OLD.name, OLD.allow_negative, OLD.created_at) THEN
    RAISE EXCEPTION 'accounts: only balances change' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER accounts_fixed BEFORE UPDATE OR DELETE ON accounts FOR EACH ROW EXECUTE FUNCTION contra_accounts_fixed();
`;

function appendOnlyTriggers(table: string): string {
  // Row triggers stop UPDATE and DELETE; the statement trigger stops TRUNCATE, which fires no row trigger.
  return `
CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION contra_refuse_change();
CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION contra_refuse_change();
`;
}

/**
 * Rows are visible and writable only for the tenants the transaction declared with
 * `SET LOCAL contra.tenant_ids = '<id>,<id>'`; without the setting, nothing. FORCE makes
 * the table owner subject to it too (a superuser or a BYPASSRLS role still is not: the
 * service must not connect as one, see docs/operating/postgresql.md).
 */
function rowLevelSecurity(table: string): string {
  return `
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
CREATE POLICY ${table}_tenant ON ${table}
  USING (tenant_id = ANY (string_to_array(current_setting('contra.tenant_ids', true), ',')))
  WITH CHECK (tenant_id = ANY (string_to_array(current_setting('contra.tenant_ids', true), ',')));
`;
}

export const schemaVersion1 = coreTables + appendOnlyFunction + appendOnlyTables.map(appendOnlyTriggers).join('')
  + tenantTables.map(rowLevelSecurity).join('');

/**
 * Seed 004's tables, for the reversal and dispute work (V1–V7, D1–D4). Fixed where the
 * seed was unsafe: money as integer minor units with its currency (never DECIMAL, never a
 * float), times with their zone, tenant ids as the service's own ids, references unique
 * per tenant rather than across tenants, and every status a closed set.
 */
const seedTablesSql = `
CREATE TABLE failed_transactions (
  id text NOT NULL,
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  original_transaction_id text NOT NULL,
  sender_account_id text NOT NULL,
  receiver_account_id text,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency char(3) NOT NULL DEFAULT 'NGN',
  failure_reason text NOT NULL,
  failure_type text NOT NULL CHECK (failure_type IN ('network_error', 'timeout', 'routing_error', 'system_glitch', 'orphaned_debit', 'customer_report')),
  detection_method text NOT NULL CHECK (detection_method IN ('automatic', 'manual', 'customer_report', 'reconciliation')),
  status text NOT NULL DEFAULT 'detected' CHECK (status IN ('detected', 'pending_reversal', 'reversed', 'disputed', 'resolved')),
  created_at timestamptz NOT NULL DEFAULT now(),
  detected_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, original_transaction_id)
);

CREATE TABLE transaction_reversals (
  id text NOT NULL,
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  failed_transaction_id text NOT NULL,
  reversal_type text NOT NULL CHECK (reversal_type IN ('automatic', 'manual')),
  reversal_amount_minor bigint NOT NULL CHECK (reversal_amount_minor > 0),
  currency char(3) NOT NULL DEFAULT 'NGN',
  authorization_method text CHECK (authorization_method IN ('system_auto', 'ops_manual', 'manager_approval')),
  requested_by text,
  authorized_by text,
  reversal_reference text NOT NULL,
  processing_started_at timestamptz,
  processing_completed_at timestamptz,
  notification_sent_at timestamptz,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, reversal_reference),
  -- One reversal per failed transaction (V5): a second can never be stored.
  UNIQUE (tenant_id, failed_transaction_id),
  FOREIGN KEY (tenant_id, failed_transaction_id) REFERENCES failed_transactions (tenant_id, id),
  CHECK (authorized_by IS NULL OR authorized_by IS DISTINCT FROM requested_by)
);

CREATE TABLE reconciliation_logs (
  id text NOT NULL,
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  reconciliation_type text NOT NULL CHECK (reconciliation_type IN ('real_time', 'batch_eod')),
  transactions_checked integer NOT NULL CHECK (transactions_checked >= 0),
  mismatches_found integer NOT NULL CHECK (mismatches_found >= 0),
  reversals_initiated integer NOT NULL CHECK (reversals_initiated >= 0),
  run_started_at timestamptz NOT NULL,
  run_completed_at timestamptz,
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE dispute_cases (
  id text NOT NULL,
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  failed_transaction_id text NOT NULL,
  customer_id text NOT NULL,
  dispute_reference text NOT NULL,
  dispute_reason text NOT NULL,
  priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  assigned_to text,
  resolution_timeline timestamptz,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'investigating', 'resolved', 'escalated')),
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, dispute_reference),
  FOREIGN KEY (tenant_id, failed_transaction_id) REFERENCES failed_transactions (tenant_id, id)
);

CREATE TABLE cbn_reversal_reports (
  id text NOT NULL,
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  reporting_period date NOT NULL,
  total_failures integer NOT NULL CHECK (total_failures >= 0),
  auto_reversals integer NOT NULL CHECK (auto_reversals >= 0),
  manual_reversals integer NOT NULL CHECK (manual_reversals >= 0),
  within_timeline integer NOT NULL CHECK (within_timeline >= 0),
  beyond_timeline integer NOT NULL CHECK (beyond_timeline >= 0),
  report_submitted_at timestamptz,
  cbn_reference text,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'acknowledged')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, reporting_period)
);
`;

export const schemaVersion2 = seedTablesSql + seedTables.map(rowLevelSecurity).join('');

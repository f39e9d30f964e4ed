// The store conformance suite: the definition of the storage port (src/app/ports/store.ts).
// Every adapter runs it from its own test file; it uses nothing but the Store interface,
// plus the adapter's dumpState where there is one, to prove refusals leave no trace.
import { suite, type ConformanceStore, type StoreFactory } from './conformance/harness.ts';
import { recordsSpec } from './conformance/records-spec.ts';
import { journalSpec } from './conformance/journal-spec.ts';
import { holdsSpec } from './conformance/holds-spec.ts';
import { limitsSpec } from './conformance/limits-spec.ts';
import { ledgerEntriesSpec } from './conformance/ledger-entries-spec.ts';
import { auditSpec } from './conformance/audit-spec.ts';
import { historySpec } from './conformance/history-spec.ts';
import { concurrencySpec } from './conformance/concurrency-spec.ts';
import { isolationSpec } from './conformance/isolation-spec.ts';
import { safetySpec } from './conformance/safety-spec.ts';

export type { ConformanceStore, StoreFactory };

/**
 * Registers the suite under `name`. `makeStore` returns a new store each time (a fresh
 * database, or a shared one: every specification works under tenants of its own); the
 * suite migrates it first and closes it after.
 */
export function runStoreConformance(name: string, makeStore: StoreFactory): void {
  suite(`store conformance: ${name}`, () => {
    recordsSpec(makeStore);
    journalSpec(makeStore);
    holdsSpec(makeStore);
    limitsSpec(makeStore);
    ledgerEntriesSpec(makeStore);
    auditSpec(makeStore);
    historySpec(makeStore);
    concurrencySpec(makeStore);
    isolationSpec(makeStore);
    safetySpec(makeStore);
  });
}
